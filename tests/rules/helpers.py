"""Build rule contexts from small case descriptions (tests/rules/cases/<CODE>.json)."""
from __future__ import annotations

import copy
import dataclasses
from typing import Any, Dict, Optional

from advisor.config import config_facts, evaluate_config
from advisor.inspect.facts import EmbeddingMatrix
from probes import AllocatorLib, NumaNode
from advisor.trials import BASELINE, Comparison, Setting, spread
from advisor.trials.result import (
    BestSetting, LossParity, Overhead, Remeasure, StudyResult, TrialMetrics, TrialRecord, ValueEffect, WhatIf,
)
from advisor.trials.load import LoadPlan, load_report
from advisor.trials.setting import SearchSpace
from probes.load import LoadReading, LoadSample, ProcessLoad, busy_threshold
from rules import Context

from ..conftest import EXAMPLES, REPO


def patch(obj: Any, path: str, value: Any) -> Any:
    """Replace one attribute deep inside frozen dataclasses: patch(facts, "torch.cuda_available", True)."""
    head, _, rest = path.partition(".")
    if not rest:
        return dataclasses.replace(obj, **{head: value})
    return dataclasses.replace(obj, **{head: patch(getattr(obj, head), rest, value)})


def deep_merge(base: Dict[str, Any], extra: Dict[str, Any]) -> Dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in extra.items():
        if isinstance(value, str) and value.startswith("@repo/"):  # paths inside this checkout
            value = str(REPO / value[len("@repo/"):])
        if value == "__remove__":
            out.pop(key, None)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def base_params() -> Dict[str, Any]:
    return evaluate_config(EXAMPLES / "bilstm_classifier" / "config.jsonnet")


def metrics(rate: float, peak: int = 500 << 20) -> TrialMetrics:
    return TrialMetrics(warmup_steps=2, steps=10, step_seconds=spread([32 / rate] * 10), instances_per_s=rate,
                        tokens_per_s=rate * 19, padding_fraction=0.3, peak_rss_bytes=peak, threads=2,
                        losses=(1.6,) * 10)


def make_study(spec: Dict[str, Any]) -> StudyResult:
    base_rate = spec.get("baseline_rate", 100.0)
    speedup = spec.get("speedup", 1.5)
    best_setting = Setting.from_params(spec.get("best", {}))
    significant = spec.get("significant", True)
    baseline = TrialRecord(0, BASELINE, "complete", base_rate, metrics(base_rate, spec.get("peak_rss", 500 << 20)),
                           None, 1, 1.0)
    rounds = (base_rate,) * 5
    best_rounds = tuple(spec.get("best_rounds", (base_rate * speedup,) * 5))
    remeasured = (Remeasure(BASELINE, rounds, spread(rounds)), Remeasure(best_setting, best_rounds, spread(best_rounds)))
    verdict = f"x{speedup:.2f} faster (90% CI x{speedup:.2f}-x{speedup:.2f})" if significant else "no significant difference"
    best = BestSetting(best_setting if significant else BASELINE, base_rate * (speedup if significant else 1),
                       speedup if significant else 1.0, speedup, speedup, significant, verdict)
    parity = None
    if "parity_ok" in spec:
        diff = 0.01 if spec["parity_ok"] else 0.2
        parity = LossParity(8, (1.0,) * 8, (1.0 + diff,) * 8, diff, 0.05, spec["parity_ok"])
    whatifs = tuple(WhatIf(w["name"], w["name"], w.get("patch", {}), base_rate * w["speedup"], base_rate, w["speedup"],
                           w["speedup"], w["speedup"], 3, w.get("significant", True), f"x{w['speedup']:.2f} faster")
                    for w in spec.get("whatifs", []))
    gains = {key: Comparison(ratio, ratio, ratio, 5, True, f"x{ratio:.2f} faster")
             for key, ratio in spec.get("gains", {}).items()}
    load = None
    if "load" in spec:  # {"before": cores, "top": [[name, cores]], "trials": [cores], "flagged": [n], "steal": f}
        ld = spec["load"]
        before = LoadSample(1.0, 2, ld.get("before", 0.0), ld.get("steal"), (0.5, 0.5, 0.5),
                            tuple(ProcessLoad(100 + i, n, c) for i, (n, c) in enumerate(ld.get("top", []))))
        plan = LoadPlan(before, 0.0, None, ld.get("reserve", 0), ld.get("basis", "none"), busy_threshold(2))
        readings = [(i, LoadReading(c, ld.get("steal"))) for i, c in enumerate(ld.get("trials", []))]
        load = load_report(plan, readings, ld.get("flagged", []), ld.get("rounds", 0))
    trials = (baseline, TrialRecord(1, best_setting, "complete", base_rate * speedup, metrics(base_rate * speedup),
                                    None, 1, 1.0))
    if spec.get("baseline_only"):  # a heavy model: the budget ended after the baseline's trial
        trials, remeasured = (baseline,), ()
        best = BestSetting(BASELINE, base_rate, 1.0, 1.0, 1.0, False,
                           "no candidate measured: the budget ended after the baseline's trial")
    if spec.get("undecided"):  # trials measured, no decision (a resumed study's stored baseline was interrupted)
        best = None
    # [{"dimension", "value", "gain", "trials", "source"}]: which change made the difference
    attribution = tuple(ValueEffect(a["dimension"], a["value"], a["gain"], a.get("trials", 0), a.get("source", "fit"))
                        for a in spec.get("attribution", []))
    return StudyResult("1", "test", "memory", SearchSpace({}), baseline, trials,
                       remeasured, best, {}, {}, Overhead(1, 1.0, 1.0, 1.0, 3.0, 60.0), attribution=attribution,
                       behaviour_gains=gains, bf16_parity=parity, whatifs=whatifs, load=load,
                       level_instances_per_s=spec.get("level"), level_windows=tuple(spec.get("level_windows", ())))


def make_context(case: Dict[str, Any], machines, model_facts) -> Context:
    machine = machines(case.get("machine", "epyc-2vcpu-kvm"))
    for path, value in case.get("machine_patch", {}).items():
        machine = patch(machine, path, value)
    if "machine_allocators" in case:
        machine = patch(machine, "runtime.allocators", tuple(AllocatorLib(n, p) for n, p in case["machine_allocators"]))
    if "machine_numa" in case:
        nodes = tuple(NumaNode(i, tuple(cpus), tuple(cpus), 8 << 30, ()) for i, cpus in case["machine_numa"])
        machine = patch(machine, "topology.numa_nodes", nodes)
    params = deep_merge(base_params(), case.get("config", {}))
    model = None
    if case.get("model", True):
        model = model_facts
        for path, value in case.get("model_patch", {}).items():
            model = patch(model, path, value)
        if "model_embeddings" in case:
            model = patch(model, "embeddings", tuple(EmbeddingMatrix(m, r, d, False, True)
                                                     for m, r, d in case["model_embeddings"]))
    study: Optional[StudyResult] = make_study(case["study"]) if "study" in case else None
    return Context(machine=machine, config=config_facts(params, case.get("config_text", "")), params=params, model=model, study=study,
                   environ=case.get("environ", {}))
