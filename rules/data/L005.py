from __future__ import annotations

from .._base import Context, Kind, Rule, Severity

_DOMINATES = 0.5


class ReaderDominates(Rule):
    """Reading and tokenizing the data costs as much as training on it.

    ## What it does
    Compares the dataset reader's time per instance (measured while reading the sample) with the
    baseline training step's time per instance.

    ## Why it matters
    A slow tokenizer (spaCy, a Python transformer tokenizer) runs once per instance per epoch
    unless instances are cached; when it costs half a training step, the cores spend half their
    time tokenizing.

    ## Example
    spaCy tokenization at 2 ms per instance, training at 1.5 ms per instance.

    ## Fix
    Use loader workers with `max_instances_in_memory` so reading overlaps training, or a faster
    tokenizer (`whitespace`, a fast transformer tokenizer), or cache tokenized data.

    ## References
    - AllenNLP MultiProcessDataLoader workers
    """

    code = "L005"
    title = "reader-dominates"
    category = "data"
    severity = Severity.WARNING
    kind = Kind.SPEED

    def check(self, context: Context):
        model, study = context.model, context.study
        if model is None or study is None or study.baseline is None or study.baseline.metrics is None:
            return
        if not model.sample.instances or model.sample.seconds <= 0:
            return
        read = model.sample.seconds / model.sample.instances
        train = 1.0 / study.baseline.metrics.instances_per_s
        if read < _DOMINATES * train:
            return
        yield self.finding(
            f"reading costs {read * 1e3:.2f} ms per instance, training {train * 1e3:.2f} ms "
            f"({read / train:.0%} of it)",
            "Overlap reading with training (num_workers + max_instances_in_memory) or use a faster tokenizer",
            {"read ms/instance": round(read * 1e3, 3), "train ms/instance": round(train * 1e3, 3),
             "tokenizer": context.config.reader.tokenizer_type})
