"""Level vs real: where does the predicted epoch time come from, and where does it differ?

A diagnostic for ``predict.py``'s bias. The prediction divides the full file's instances by the
rate of one continuous window (about 4 s) in a trial worker, which trains on the sample (its own
vocabulary, the sample's batches). For one example and one batch layout, in interleaved repeats,
this measures:

- (w) the worker's level window, as the study takes it (``epoch rate``: scaled to the sample's epoch);
- (f) a real ``allennlp train`` epoch on the full training file;
- (s) a real ``allennlp train`` epoch on the sample's instances (the file's first N lines), the data
  the worker trains on, so that (w) vs (s) is the worker against the trainer on the same data and
  (s) vs (f) is the sample against the full data in the trainer. Both real runs use the full
  file's vocabulary, as the worker's model does (its embeddings are padded to the full size).

    .venv/bin/python benchmarks/level_vs_real.py [--example bilstm_classifier] [--layout bucket] [--repeats 3]
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from _common import REPO, diagnostic_args, header, median, publish, table, training_seconds

from advisor.config import load_experiment
from advisor.trials import Setting, StudyOptions
from advisor.trials.measure import measure_window, metrics_of
from advisor.trials.setting import layout_overrides
from advisor.trials.pool import WorkerJob, WorkerPool


def _config(base: Path, layout: str, batch_size: int, train: Path, full: Path, out: Path) -> Path:
    """The example's config with the layout's sampler, one epoch, no validation, on ``train``, with
    the full file's vocabulary (as the worker's model has: its embeddings are padded to the full
    vocabulary's estimated size): the full file is read as test data for the vocabulary only."""
    loader = {"batch_size": batch_size, "shuffle": True}
    if layout == "bucket":  # the sampler the advice writes (the text field is "tokens" in these examples)
        loader = {"batch_sampler": layout_overrides(layout, batch_size, "tokens", 0.0)["batch_sampler"]}
    text = (f'local c = import "{base}";\n'
            f'c + {{ data_loader: {json.dumps(loader)}, train_data_path: "{train}", validation_data_path: null,\n'
            f'      test_data_path: "{full}", evaluate_on_test: false,\n'
            f'      datasets_for_vocab_creation: ["train", "test"], trainer+: {{ num_epochs: 1 }} }}\n')
    out.write_text(text)
    return out


def _real(config: Path, instances: int, scratch: Path) -> float:
    """Instances/s of the trainer's one epoch (``training_duration``)."""
    proc = subprocess.run([sys.executable, "-m", "allennlp", "train", str(config), "-s", str(scratch), "-f"],
                          capture_output=True, text=True, cwd=REPO)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-2000:])
    return instances / training_seconds(scratch / "metrics.json")


def main() -> None:
    args = diagnostic_args(3, budget=False,
                           more=lambda p: p.add_argument("--layout", default="bucket", choices=["config", "bucket"]))
    base = REPO / "examples" / args.example / "config.jsonnet"
    experiment = load_experiment(base)
    options = StudyOptions()
    full = Path(experiment.params["train_data_path"])
    lines = full.read_text().splitlines()
    batch_size = experiment.facts.data_loader.batch_size or 32
    setting = Setting(batch_layout=args.layout)
    rates = {"w": [], "f": [], "s": []}
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        (tmp_path / "logs").mkdir()
        job = WorkerJob.of(experiment, options.sample_instances, options.sample_seconds)
        pool = WorkerPool(job, tmp_path / "logs", memory_limit=None, max_alive=1, allocator_paths={})
        try:
            # The sample the worker trains on: the file's first N instances (SampleReader reads in order).
            n = min(len(lines), options.sample_instances)
            sample = tmp_path / "sample.jsonl"
            sample.write_text("\n".join(lines[:n]) + "\n")
            full_cfg = _config(base, args.layout, batch_size, full.resolve(), full.resolve(), tmp_path / "full.jsonnet")
            sample_cfg = _config(base, args.layout, batch_size, sample, full.resolve(), tmp_path / "sample.jsonnet")
            for repeat in range(args.repeats):
                window = measure_window(pool, setting, options, target_s=4.0)
                rates["w"].append(metrics_of(window).instances_per_s)
                rates["f"].append(_real(full_cfg, len(lines), tmp_path / f"f{repeat}"))
                rates["s"].append(_real(sample_cfg, n, tmp_path / f"s{repeat}"))
                print(f"repeat {repeat}: " + ", ".join(f"{k} {v[-1]:.1f}" for k, v in rates.items()), flush=True)
        finally:
            pool.close()
    out = header(f"level vs real: {args.example}, {args.layout} batches (instances/s)")
    rows = [[name, f"{median(rates[key]):.1f}", f"{min(rates[key]):.1f}-{max(rates[key]):.1f}"]
            for key, name in (("w", "(w) worker level window, sample"), ("s", "(s) real epoch, sample"),
                              ("f", "(f) real epoch, full file"))]
    out += table(["measured", "median", "min-max"], rows)
    paired = [(w / s, s / f, w / f) for w, s, f in zip(rates["w"], rates["s"], rates["f"])]
    out += ["", f"Per repeat (interleaved w, f, s): w/s {', '.join(f'{p[0]:.2f}' for p in paired)}; "
                f"s/f {', '.join(f'{p[1]:.2f}' for p in paired)}; w/f {', '.join(f'{p[2]:.2f}' for p in paired)}. "
                f"The prediction is too high (slow) where w/f < 1."]
    publish(out, args.out)


if __name__ == "__main__":
    main()
