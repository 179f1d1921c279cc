from __future__ import annotations

import os

from .._base import Context, Kind, Rule, Severity


class MissingDataPath(Rule):
    """A data path in the config does not exist, cannot be read, or is an empty file.

    ## What it does
    Checks `train_data_path`, `validation_data_path` and `test_data_path` (local files and
    folders; URLs and globs are not checked), resolved from the current directory as
    `allennlp train` resolves them: missing, unreadable by this user, or an empty file.

    ## Why it matters
    AllenNLP finds out only when it reaches that file, after its imports, and for the validation
    file only after the first training epoch.

    ## Example
    `train_data_path: "data/train.jsonl"` run from the wrong directory.

    ## Fix
    Run from the directory the relative paths assume, or fix the path (ext vars help).

    ## References
    - AllenNLP `cached_path` resolves local paths from the working directory
    """

    code = "L006"
    title = "missing-data-path"
    category = "data"
    severity = Severity.ERROR
    kind = Kind.SPEED

    def check(self, context: Context):
        for path in context.config.data_paths:
            if path.exists is False:
                yield self.finding(
                    f"{path.key} {path.value!r} does not exist (looked for {path.resolved})",
                    "Fix the path or run from the directory it is relative to",
                    {"key": path.key, "value": path.value, "resolved": path.resolved})
            elif path.readable is False:
                yield self.finding(
                    f"{path.key} {path.value!r} exists but this user cannot read it ({path.resolved})",
                    "Fix its permissions (chmod u+r) or point the config at a readable copy",
                    {"key": path.key, "value": path.value, "resolved": path.resolved})
            elif path.exists and path.size_bytes == 0 and os.path.isfile(path.resolved or ""):
                yield self.finding(
                    f"{path.key} {path.value!r} is an empty file ({path.resolved})",
                    "Point it at the data file, or regenerate the data",
                    {"key": path.key, "value": path.value, "resolved": path.resolved})
