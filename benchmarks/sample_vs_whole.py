"""Sample vs whole file, runner vs trainer: where does the sample's lean against the real epoch come from?

A diagnostic for ``predict.py``. Measurements on the sample have run a few percent slower than a
real `allennlp train` epoch on the whole file. Two things differ between them: the data (the
analysis's sample, its first instances, against the whole file) and the code that steps (the trial
runner in a worker against AllenNLP's trainer in a fresh process). This script crosses the two.
In a rotated order, each repeat times the applied setting of one analysis four ways, every time
scaled to the full file's epoch:

- ``trainer, whole``: one `allennlp train` epoch on the full file (the advised config, env.sh);
- ``trainer, sample``: the same on a file of the sample's instances only (the first lines of the
  training file), with the whole file's vocabulary (``extend`` from the first real run's), so the
  model has the same size;
- ``runner, whole``: a fresh process that builds the whole file as its "sample" and replays it with
  the trial runner, without the worker pool (one warm epoch, one timed);
- ``runner, sample``: the same on the analysis's sample (one warm epoch, two timed).

If the sample's batches are the cause, both ``sample`` rows sit above their ``whole`` rows; if the
runner is, both ``runner`` rows sit above their ``trainer`` rows.

    .venv/bin/python benchmarks/sample_vs_whole.py [--example bilstm_classifier] [--repeats 4]
"""
from __future__ import annotations

import json
import tempfile
from pathlib import Path

from _analyze import EXT, advice, allocator_paths, applied_setting, real_epoch, replay_in_fresh_process
from _common import REPO, diagnostic_args, header, paired_rows, publish, table

from advisor.config import load_experiment


def sample_file(name: str, instances: int, folder: Path) -> Path:
    """The training file's first ``instances`` records (one per line), as the analysis reads its sample."""
    experiment = load_experiment(REPO / "examples" / name / "config.jsonnet", ext_vars=EXT.get(name, {}))
    train = Path(next(p for p in experiment.facts.data_paths if p.key == "train_data_path").resolved)
    out = folder / f"sample{train.suffix}"
    with train.open() as source, out.open("w") as sink:
        for _, line in zip(range(instances), source):
            sink.write(line)
    return out


def main() -> None:
    args = diagnostic_args(4)
    name = args.example
    columns = {k: [] for k in ["trainer, whole", "trainer, sample", "runner, whole", "runner, sample"]}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        report, advised, _ = advice(name, args.budget, tmp / "advice")
        full, setting, env = applied_setting(name, report, advised)
        config = advised / "config.cpu.jsonnet"
        allocators = allocator_paths()
        sample = report["model"]["sample"]["instances"]  # the analysis's sample: the file's first lines
        first = tmp / "first"
        real_epoch(advised, env, first)  # warms the caches, and its vocabulary sizes the sample runs' model
        sample_overrides = {"train_data_path": str(sample_file(name, sample, tmp)),
                            "vocabulary": {"type": "extend", "directory": str(first / "vocabulary")}}

        cells = {
            "trainer, whole": lambda run: real_epoch(advised, env, run),
            "trainer, sample": lambda run: real_epoch(advised, env, run, sample_overrides) * full / sample,
            "runner, whole": lambda run: replay_in_fresh_process(name, config, setting, full, allocators,
                                                                 instances=10 ** 9, epochs=2)["seconds"],
            "runner, sample": lambda run: replay_in_fresh_process(name, config, setting, full, allocators)["seconds"],
        }
        names = list(cells)
        for repeat in range(args.repeats):
            for cell in names[repeat % len(names):] + names[:repeat % len(names)]:
                columns[cell].append(cells[cell](tmp / f"run{repeat}-{cell.replace(', ', '-')}"))
            print(repeat, json.dumps({k: round(v[-1], 1) for k, v in columns.items()}), flush=True)
    rows = paired_rows(columns, "trainer, whole", lambda seconds, real: seconds / real, lambda r: r > 1)
    lines = header(f"sample vs whole file, runner vs trainer: {name}, {setting.label()}, "
                   f"epoch seconds on the full file ({full} instances; sample {sample}), in turn")
    lines += table(["measured", "median s", "min-max s", "vs trainer, whole (paired, median)", "min-max",
                    "slower than trainer, whole"], rows)
    publish(lines, args.out)


if __name__ == "__main__":
    main()
