"""Device check on a real AMX Xeon: the probe sheet, and bf16 vs fp32 training steps.

Run on the lent device (Python 3.12, torch 2.x, no AllenNLP):
    PYTHONPATH=. python3 benchmarks/device/amx_check.py --out $OUT
Prints a table of step-time medians (fp32 vs bf16 autocast) and what the probes said.
"""
from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import torch
from torch import nn

from probes import probe_machine, to_jsonable


def step_seconds(model, batch, target, *, bf16: bool, warmup: int = 3, reps: int = 15):
    opt = torch.optim.SGD(model.parameters(), lr=1e-3)
    loss_fn = nn.MSELoss()

    def step():
        opt.zero_grad(set_to_none=True)
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            out = model(batch)
            out = out[0] if isinstance(out, tuple) else out
            loss = loss_fn(out.float(), target)
        loss.backward()
        opt.step()
        return float(loss)

    for _ in range(warmup):
        step()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), min(times), max(times)


def workloads():
    torch.manual_seed(0)
    mlp = nn.Sequential(nn.Linear(512, 2048), nn.ReLU(), nn.Linear(2048, 512))
    yield "mlp 512-2048-512, batch 256", mlp, torch.randn(256, 512), torch.randn(256, 512)
    lstm = nn.LSTM(128, 256, num_layers=2, bidirectional=True, batch_first=True)
    yield "bi-LSTM 2x256, batch 32 x 50", lstm, torch.randn(32, 50, 128), torch.randn(32, 50, 512)
    enc = nn.TransformerEncoder(nn.TransformerEncoderLayer(256, 4, 1024, batch_first=True), 2)
    yield "transformer 2x256, batch 32 x 128", enc, torch.randn(32, 128, 256), torch.randn(32, 128, 256)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=".")
    args = parser.parse_args()
    out = Path(args.out)
    t0 = time.perf_counter()
    facts = probe_machine("/", measure=True)
    probe_s = time.perf_counter() - t0
    (out / "probe.json").write_text(json.dumps(to_jsonable(facts), indent=2))
    isa, lim, topo = facts.isa, facts.limits, facts.topology
    print(f"probe+measure {probe_s:.1f}s  model={facts.cpu.model_name!r} family/model={facts.cpu.family}/{facts.cpu.model}")
    print(f"usable_cpus={lim.usable_cpus} physical={topo.physical_cores} tpc={topo.threads_per_core} "
          f"sockets={topo.sockets} numa={len(topo.numa_nodes)} cgroup=v{lim.cgroup_version} quota={lim.cpu_quota}")
    print(f"avx512={isa.avx512} amx={isa.amx} native_bf16={isa.native_bf16} amx_fp16(CPUID)={isa.amx_fp16} "
          f"best={isa.best_vector_isa} unknown={isa.unknown}")
    print(f"torch {facts.torch.version} backend={facts.torch.parallel_backend} "
          f"threads={facts.torch.intra_op_threads}/{facts.torch.inter_op_threads} onednn={facts.torch.onednn_version} "
          f"cap={facts.torch.cpu_capability}")
    print(f"roofline: {to_jsonable(facts.roofline)}")
    print(f"caches: {[(c.name, c.size_bytes, c.instances) for c in facts.caches.levels]}")
    rows = []
    for threads in sorted({1, lim.usable_cpus}):
        torch.set_num_threads(threads)
        for name, model, x, y in workloads():
            f32 = step_seconds(model, x, y, bf16=False)
            b16 = step_seconds(model, x, y, bf16=True)
            rows.append({"workload": name, "threads": threads, "fp32_s": f32, "bf16_s": b16,
                         "bf16_speedup": f32[0] / b16[0]})
            print(f"{name:36s} thr={threads:2d} fp32 {f32[0]*1e3:8.2f} ms  bf16 {b16[0]*1e3:8.2f} ms  "
                  f"bf16 speedup x{f32[0]/b16[0]:.2f}  (fp32 range {f32[1]*1e3:.1f}-{f32[2]*1e3:.1f})")
    (out / "bf16_steps.json").write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
