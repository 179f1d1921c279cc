"""The whole file's padding, estimated from the sample, against the whole file's own (a count, not a timing).

    .venv/bin/python benchmarks/file_padding.py [--examples bilstm_classifier gru_tagger ...]
                                                [--samples 2000 250] [--out FILE]

A length-grouped layout pads the whole file's batches less than a sample's (``advisor/trials/file_epoch.py``),
so the trials' windows, scaled to the sample's epoch, predict a real epoch too slow. Per example and
layout, a trial runner on a sample of ``--samples`` instances begins the layout as a trial does and
sends its epoch profile: the sample's padded positions per instance and the file's, drawn from the
sample. A runner on the whole file (every instance read) gives the real one. The estimate is right
where its column matches the last one; the sample's column is what predictions used before.
"""
from __future__ import annotations

import argparse
import os
from dataclasses import replace
from pathlib import Path
from typing import Any, Dict, List

from _analyze import EXT
from _common import REPO, header, publish, table

from advisor.config import load_experiment
from advisor.inspect.build import SampleCaps, build_experiment
from advisor.trials import BASELINE
from advisor.trials.runner import TrialRunner

LAYOUTS = {"config": BASELINE, "bucket": replace(BASELINE, batch_layout="bucket"),
           "max_tokens": replace(BASELINE, batch_layout="max_tokens")}


def _profiles(example: str, instances: int) -> Dict[str, Dict[str, Any]]:
    experiment = load_experiment(f"examples/{example}/config.jsonnet", ext_vars=EXT.get(example))
    runner = TrialRunner(build_experiment(experiment, SampleCaps(instances=instances, seconds=1e9)))
    out = {}
    for name, setting in LAYOUTS.items():
        out[name] = runner.begin(replace(setting, num_workers=0), 0)["epoch"]
        runner.end()
    return out


def _per_instance(profile: Dict[str, Any]) -> str:
    return f"{profile['positions'] / profile['instances']:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--examples", nargs="*", default=["bilstm_classifier", "gru_tagger", "transformer_classifier"])
    parser.add_argument("--samples", nargs="*", type=int, default=[2000, 250])
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    os.chdir(REPO)
    rows: List[List[str]] = []
    for example in args.examples:
        whole = _profiles(example, 10 ** 9)
        for size in args.samples:
            sample = _profiles(example, size)
            for layout, profile in sample.items():
                file = profile.get("file")
                truth = float(_per_instance(whole[layout]))
                estimate = float(_per_instance(file)) if file else float(_per_instance(profile))
                rows.append([example, layout, f"{size:,} of {whole[layout]['instances']:,}", _per_instance(profile),
                             _per_instance(file) if file else "- (the sample's)", f"{truth:.2f}",
                             f"{float(_per_instance(profile)) / truth - 1:+.1%}", f"{estimate / truth - 1:+.1%}"])
    lines = header("file padding: padded positions per instance, the sample's epoch and the file's estimated from it")
    lines += table(["example", "layout", "sample", "sample's epoch", "file's, drawn from the sample",
                    "whole file's epoch", "sample vs whole", "estimate vs whole"], rows)
    lines += ["", "Counted on the epochs a trial runner sends with each begin (AllenNLP's own loader and samplers, "
              "seed 0); no step is timed."]
    publish(lines, args.out)


if __name__ == "__main__":
    main()
