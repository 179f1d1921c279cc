"""A sample's length-grouped batches against the whole file's: padded positions per instance (a count).

    .venv/bin/python benchmarks/file_padding.py [--examples bilstm_classifier gru_tagger ...]
                                                [--samples 2000 250] [--out FILE]

A length-grouped layout (bucket or max-tokens batches) sorts the instances it is given by length
and cuts the order into batches: the more instances, the closer the lengths in a batch. AllenNLP's
trainer gives the sampler the whole file (without ``max_instances_in_memory``), the trials give it
the sample, so the sample's epoch is more padded than the real one. Per example and layout this
counts, with the layout's own AllenNLP sampler (seed 0), padded positions per instance (a batch's
instances times its longest one's tokens) over the sample, over as many instances as the file
holds drawn from the sample with replacement (at most 20,000), and over the whole file.

Tried in the twenty-second session and taken back: scaling the trials' windows to the file's epoch
drawn this way (time proportional to padded positions, the windows' scaling where no fit holds).
With a 250-instance sample (``predict.py --sample-instances 250 --epochs 2``) the predicted epochs
came out 6-17% too fast on the Bi-LSTM, the GRU tagger and the transformer (4 of 6 within ±15%);
over the sample's batches, as the advisor predicts, 6 of 6 (median |error| 2.7%). A step's time
does not follow its padded positions closely enough for the count to carry over to seconds.
"""
from __future__ import annotations

import argparse
import os
import random
from pathlib import Path
from typing import Any, List, Sequence

from _analyze import example_experiment, example_runner
from _common import REPO, header, publish, table

from advisor.trials.runner import TrialRunner
from advisor.trials.setting import layout_overrides

LAYOUTS = ("bucket", "max_tokens")
DRAWN_MAX = 20_000


def _per_instance(sampler: Any, instances: Sequence[Any], field: str) -> float:
    random.seed(0)  # the samplers' noise and shuffle draw from the global generator
    lengths = [len(i.fields[field]) for i in instances]
    batches = list(sampler.get_batch_indices(instances))
    return sum(len(b) * max(lengths[i] for i in b) for b in batches if b) / len(instances)


def _samplers(runner: TrialRunner):
    for layout in LAYOUTS:
        overrides = layout_overrides(layout, runner.batch_size, runner.text_field, runner.mean_tokens)
        yield layout, runner.built.data_loader({**overrides, "num_workers": None}).batch_sampler


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--examples", nargs="*", default=["bilstm_classifier", "gru_tagger", "transformer_classifier"])
    parser.add_argument("--samples", nargs="*", type=int, default=[2000, 250])
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    os.chdir(REPO)
    rows: List[List[str]] = []
    for example in args.examples:
        experiment = example_experiment(example)
        whole = example_runner(experiment, 10 ** 9)
        truth = {layout: _per_instance(sampler, whole.built.instances, whole.text_field)
                 for layout, sampler in _samplers(whole)}
        for size in args.samples:
            runner = example_runner(experiment, size)
            sample = runner.built.instances
            rng = random.Random(0)
            drawn = [sample[rng.randrange(len(sample))] for _ in range(min(len(whole.built.instances), DRAWN_MAX))]
            for layout, sampler in _samplers(runner):
                own = _per_instance(sampler, sample, runner.text_field)
                estimate = _per_instance(sampler, drawn, runner.text_field)
                rows.append([example, layout, f"{len(sample):,} of {len(whole.built.instances):,}", f"{own:.2f}",
                             f"{estimate:.2f}", f"{truth[layout]:.2f}", f"{own / truth[layout] - 1:+.1%}",
                             f"{estimate / truth[layout] - 1:+.1%}"])
    lines = header("file padding: padded positions per instance, the sample's batches against the whole file's")
    lines += table(["example", "layout", "sample", "sample's epoch", "drawn from the sample, the file's size",
                    "whole file's epoch", "sample vs whole", "drawn vs whole"], rows)
    lines += ["", "Counted with each layout's AllenNLP sampler (seed 0): a batch's instances times its longest "
              "one's tokens; no step is timed."]
    publish(lines, args.out)


if __name__ == "__main__":
    main()
