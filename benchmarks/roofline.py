"""Roofline: model FLOPs per training step over measured step time, against the probe's GEMM peak.

FLOPs are analytic (torch's FLOP counter misses recurrent layers) and count useful work only:
per real (non-padding) token, forward = 2 x multiply-adds of each layer; a training step is about
3 x forward (backward costs two forwards). Padding is computed but not counted, so removing it
shows up as a higher MFU. Achieved GFLOP/s divided by the machine's measured fp32 GEMM peak (bf16 peak
when the advised setting trains in bf16) is the model FLOPs utilisation (MFU), before and after.

    .venv/bin/python benchmarks/roofline.py [--budget 120] [EXAMPLE ...]
"""
from __future__ import annotations

import argparse
import json
import os
import tempfile
from pathlib import Path

from _analyze import analyze
from _common import REPO, header, publish, table

from probes import probe_machine


def forward_flops_per_token(static: dict, length: float) -> float:
    flops = 0.0
    for enc in static["encoders"]:
        s, kind = enc["sizes"], enc["type"]
        if kind in ("lstm", "gru"):
            gates = 4 if kind == "lstm" else 3
            dirs = 2 if s.get("bidirectional") else 1
            hidden, inp = s["hidden_size"], s["input_size"]
            for layer in range(int(s.get("num_layers", 1))):
                flops += dirs * 2 * gates * hidden * ((inp if layer == 0 else hidden * dirs) + hidden)
        elif kind == "cnn":
            flops += sum(2 * n * s["embedding_dim"] * s["num_filters"] for n in s["ngram_filter_sizes"])
        elif kind == "pytorch_transformer":
            d, ff = s["input_dim"], s.get("feedforward_hidden_dim", 2048)
            flops += s.get("num_layers", 1) * (2 * 4 * d * d + 2 * 2 * d * ff + 2 * 2 * length * d)
    for emb in static["embedders"]:
        if emb["type"].startswith("pretrained_transformer") and emb.get("model_name"):
            cfg = json.loads((REPO / emb["model_name"] / "config.json").read_text())
            h, i = cfg["hidden_size"], cfg["intermediate_size"]
            flops += cfg["num_hidden_layers"] * (2 * 4 * h * h + 2 * 2 * h * i + 2 * 2 * length * h)
    return flops


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("examples", nargs="*", default=["bilstm_classifier", "gru_tagger", "transformer_classifier"])
    parser.add_argument("--budget", type=float, default=120.0)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    os.chdir(REPO)
    roof = probe_machine(measure=True).roofline
    rows = []
    for name in args.examples:
        with tempfile.TemporaryDirectory() as tmp:
            report = analyze(name, Path(tmp) / "a", args.budget)
        model, study = report["model"], report["study"]
        length = model["lengths"][0]["mean"]
        per_instance = 3 * forward_flops_per_token(model["static"], length) * length
        base = next(r for r in study["remeasured"] if r["setting"] == study["baseline"]["setting"])["spread"]["median"]
        best = study["best"]["instances_per_s"]
        bf16 = study["best"]["setting"]["precision"] == "bf16"
        peak = (roof.gemm_bf16_gflops_all if bf16 and roof.gemm_bf16_gflops_all else roof.gemm_fp32_gflops_all)
        before, after = per_instance * base / 1e9, per_instance * best / 1e9
        rows.append([name, f"{per_instance / 1e6:.1f}", f"{before:.2f}", f"{after:.2f}",
                     f"{before / roof.gemm_fp32_gflops_all:.1%}", f"{after / peak:.1%}", f"{peak:.0f}"])
        print(name, rows[-1], flush=True)
    lines = header("roofline: achieved model GFLOP/s and MFU, before and after the advice")
    lines += [f"GEMM peak ({roof.matrix_size}^2): fp32 {roof.gemm_fp32_gflops_1_thread:.1f} GFLOP/s on 1 thread, "
              f"{roof.gemm_fp32_gflops_all:.1f} on {roof.threads_all}; bf16 {roof.gemm_bf16_gflops_all or '-'}; "
              f"copy bandwidth {roof.copy_bandwidth_gbs:.1f} GB/s", ""]
    lines += table(["example", "useful MFLOP per instance (train step)", "GFLOP/s as-is", "GFLOP/s advised",
                    "MFU as-is", "MFU advised", "peak used GFLOP/s"], rows)
    publish(lines, args.out)


if __name__ == "__main__":
    main()
