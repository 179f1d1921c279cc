"""``report.md``: the analysis as Markdown (same content as the terminal, in full)."""
from __future__ import annotations

import re
from typing import List

from ..emit import finding_snippet
from ._format import attribution_line, bytes_h

__all__ = ["render_markdown"]


def _row(*cells: object) -> str:
    return "| " + " | ".join(str(c).replace("|", "\\|").replace("\n", " ") for c in cells) + " |"


def _code(text: object) -> str:
    """An inline code span that survives backticks in ``text`` (a path may hold any character)."""
    text = str(text).replace("\n", " ")
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def load_lines(load) -> List[str]:
    """The load section: what the machine was doing while the advisor measured."""
    before, plan = load.plan.before, load.plan
    lines = [f"- before measuring: {before.outside_cores:.2f} of {before.usable_cpus} usable CPUs busy with other work"
             + (f" (load average {before.loadavg[0]:.2f})" if before.loadavg else "")
             + ("; top: " + ", ".join(f"{_code(p.name)} (pid {p.pid}) {p.cores:.2f}" for p in before.top)
                if before.top else "")]
    if load.median_cores is not None:
        lines.append(f"- during the trials: median {load.median_cores:.2f}, max {load.max_cores:.2f} cores busy with "
                     f"other work; {len(load.flagged_trials)} trial(s) and {load.flagged_rounds} re-measure round(s) "
                     f"under a markedly different load (threshold {plan.threshold_cores:.2f} cores)")
    if load.max_steal_fraction is not None:
        lines.append(f"- steal (CPU time the hypervisor gave to others): up to {load.max_steal_fraction:.1%}")
    lines.append(f"- CPUs kept free for other work: {plan.reserve_cpus} ({plan.reserve_basis})")
    lines += [f"- **warning:** {w}" for w in load.warnings]
    return lines


def render_markdown(report) -> str:
    m, study, model = report.machine, report.study, report.model
    out: List[str] = [f"# cpu-advisor report: {_code(report.config)}", ""]
    if getattr(report, "partial", False):
        out += ["> **PARTIAL REPORT** — the run was interrupted before the advice was decided: "
                + " ".join(study.notes[:1] if study else []) + ". No config.cpu.jsonnet or env.sh was written.", ""]
    out.append(f"Created {report.created} · config hash `{report.config_hash}` · machine fingerprint "
               f"`{report.fingerprint}` · outputs in {_code(report.out_dir)}")
    out += ["", "## Machine", ""]
    out.append(f"- {m.cpu.model_name} ({m.cpu.vendor}, {m.cpu.architecture}); {m.limits.usable_cpus} usable CPUs "
               f"({m.topology.physical_cores} physical cores, {m.topology.threads_per_core} thread(s) per core, "
               f"{len(m.topology.numa_nodes)} NUMA node(s)); {bytes_h(m.limits.usable_memory_bytes)} usable memory")
    out.append(f"- best vector ISA {m.isa.best_vector_isa}; native bf16: {'yes' if m.isa.native_bf16 else 'no'}; "
               f"torch {m.torch.version} ({m.torch.parallel_backend}, {m.torch.intra_op_threads} default threads)")
    if model is not None:
        out += ["", "## Model", ""]
        out.append(f"- {model.static.model_type}: {model.parameters_total:,} parameters "
                   f"({model.parameters_trainable:,} trainable)")
        out.append(f"- training data: {model.sample.estimated_total or '?'} instances ({model.sample.estimate_method}); "
                   + "; ".join(f"{ln.field} length mean {ln.mean}, p95 {ln.p95:g}, max {ln.max}" for ln in model.lengths))
        out.append(f"- padding in the config's batches: {model.padding.padding_fraction:.1%} ({model.padding.batch_layout})")
    if study is not None and study.best is not None:
        out += ["", "## Result", "", f"**{study.best.verdict}** — best speed-only setting (applied): "
                                    f"{study.best.setting.label()}"]
        attribution = attribution_line(study)
        if attribution:
            out += ["", f"{attribution.capitalize()}."]
    out += ["", "## Findings", "", _row("code", "severity", "kind", "finding", "effect", "applied"),
            _row("---", "---", "---", "---", "---", "---")]
    for f in report.findings:
        status = "yes" if f.code in report.applied else ("suggested" if f.code in report.suggested else "-")
        out.append(_row(f.code, f.severity.value, f.kind.value, f.message, f.expected_effect or "", status))
    for f in report.findings:
        out += ["", f"### {f.code} {f.title} ({f.kind.value})", "", f"{f.message}", "", f"**Fix:** {f.fix}"]
        if f.evidence:
            out += ["", "Evidence:", ""] + [f"- {k}: {v}" for k, v in f.evidence.items()]
        snippet = finding_snippet(f)
        if snippet:
            out += ["", "```jsonnet", snippet, "```"]
        out += ["", f"`advisor explain {f.code}` explains the rule."]
    if study is not None and study.load is not None:
        out += ["", "## Load during measurement", ""] + load_lines(study.load)
    if study is not None:
        out += ["", "## Trials", "", _row("#", "setting", "state", "instances/s", "step s (median, IQR)",
                                          "padding", "outside load (cores)", "peak RSS", "note"),
                _row(*["---"] * 9)]
        for t in study.trials:
            if t.state == "reused":
                continue
            mt = t.metrics
            step = f"{mt.step_seconds.median:.4f} ({mt.step_seconds.p25:.4f}-{mt.step_seconds.p75:.4f})" if mt else ""
            load = f"{mt.outside_cores:.2f}" if mt and mt.outside_cores is not None else ""
            note = "; ".join(filter(None, [t.reason, "measured under a changed load: not a candidate" if t.contended else ""]))
            out.append(_row(t.number, t.setting.label(), t.state, f"{t.value:.1f}" if t.value else "", step,
                            f"{mt.padding_fraction:.0%}" if mt else "", load,
                            bytes_h(mt.peak_rss_bytes) if mt else "", note))
        if any(t.metrics and t.metrics.baseline_instances_per_s for t in study.trials):
            out += ["", "Search trials after the first ran in pieces interleaved with the baseline's; their "
                        "instances/s is their gain over the baseline measured beside them, times the first "
                        "trial's rate (the machine's drift cancels out of the ratio). Every rate is scaled "
                        "from the timed window to a whole epoch of the sample."]
        out += ["", "Re-measured interleaved (instances/s per round):", ""]
        for r in study.remeasured:
            out.append(f"- {r.setting.label()}: median {r.spread.median:.1f} (IQR {r.spread.p25:.1f}-{r.spread.p75:.1f}); "
                       + ", ".join(f"{v:.1f}" for v in r.instances_per_s))
        for key, gain in study.behaviour_gains.items():
            out.append(f"- behaviour-changing {key} on top of the applied setting: {gain.verdict}")
        if study.bf16_parity is not None:
            p = study.bf16_parity
            out.append(f"- bf16 loss parity over {p.steps} steps: max relative difference {p.max_rel_diff:.2%} "
                       f"(tolerance {p.tolerance:.0%}): {'ok' if p.ok else 'failed'}")
        if not study.partial:  # a partial report leads with its notes already
            out += [f"- note: {n}" for n in study.notes]
        if study.importances:
            out.append("- parameter importances: " + ", ".join(f"{k} {v:.2f}" for k, v in study.importances.items()))
        out += ["", "Search space: " + "; ".join(f"{k}: {', '.join(map(str, v))}" for k, v in study.space.choices.items())]
        for k, why in study.space.skipped.items():
            out.append(f"- {k}: {why}")
        o = study.overhead
        out += ["", f"Advisor overhead: {o.worker_starts} worker start(s), {o.worker_start_s:.1f} s building "
                    f"({o.fraction_of_budget:.0%} of the {o.budget_s:.0f} s budget); measuring {o.measuring_s:.1f} s; "
                    f"re-measuring {o.remeasure_s:.1f} s; decided after {o.decided_s:.1f} s; "
                    f"what-ifs {o.whatif_s:.1f} s; total {o.total_s:.1f} s."]
    out += ["", "## Outputs", ""] + [f"- `{v}`" for v in report.outputs.values()]
    return "\n".join(out) + "\n"
