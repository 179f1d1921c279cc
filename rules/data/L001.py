from __future__ import annotations

from .._base import Change, Context, Kind, Rule, Severity
from .._measured import applied_effect, best_change, measured_evidence, studied, tried_other
from ._layouts import layout_patch

_WORTH_IT = 0.2  # below 20% padding, length-grouped batches gain little


class PaddingAndLayout(Rule):
    """Padding in the config's batches, and the measured effect of length-grouped batches.

    ## What it does
    Reports the fraction of token positions that are padding in the batches the config's loader
    builds from the sample. Where the trials found a `bucket` or `max_tokens_sampler` layout
    faster beyond the noise, proposes it with the measured speed-up.

    ## Why it matters
    Every padded position costs the same compute as a real token. Shuffled batches of
    variable-length text are often half padding; grouping by length removes most of it.

    ## Example
    `batch_size: 32, shuffle: true` on SST-like sentences: 55% padding.

    ## Fix
    `batch_sampler: {type: "bucket", batch_size: 32, sorting_keys: ["tokens"]}` (same batch size;
    batches are grouped by length and shuffled as groups). `max_tokens_sampler` varies the
    number of instances per batch, so it is marked behaviour-changing.

    ## References
    - AllenNLP BucketBatchSampler: https://docs.allennlp.org/main/api/data/samplers/bucket_batch_sampler/
    """

    code = "L001"
    title = "padding-and-batch-layout"
    category = "data"
    severity = Severity.WARNING
    kind = Kind.SPEED

    def check(self, context: Context):
        model = context.model
        if model is None:
            return
        padding = model.padding.padding_fraction
        layout = best_change(context, "batch_layout")
        field = model.lengths[0].field if model.lengths else None
        mean = model.lengths[0].mean if model.lengths else 1.0
        batch = context.config.data_loader.batch_size or 32
        evidence = {"padding fraction": f"{padding:.1%}", "batches measured": model.padding.batches,
                    "config layout": model.padding.batch_layout}
        gain = context.study.behaviour_gains.get("batch_layout=max_tokens") if context.study else None
        if layout is not None:
            study = context.study
            yield self.finding(
                f"{padding:.0%} of token positions are padding; a {layout} layout is part of the fastest setting",
                f"Group batches by length with a {layout} batch sampler",
                {**evidence, **measured_evidence(context)},
                change=Change(config=layout_patch(layout, batch, field, mean)),
                expected_effect=applied_effect(context, "batch_layout"), speedup=study.best.speedup)
        elif gain is not None and gain.significant and gain.ratio > 1:
            yield self.finding(
                f"{padding:.0%} of token positions are padding; max-tokens batches measured {gain.verdict}",
                "Batch by a token budget with max_tokens_sampler (instances per batch then vary)",
                {**evidence, "max_tokens on top of the applied settings": gain.verdict},
                change=Change(config=layout_patch("max_tokens", batch, field, mean)),
                expected_effect=gain.verdict, speedup=gain.ratio, kind=Kind.BEHAVIOUR)
        elif padding >= _WORTH_IT and context.config.data_loader.batch_sampler_type is None:
            measured = tried_other(context, "batch_layout")
            # A study that ran decides the layout, even one that had no time to try it: the static
            # patch is applied only where no trials ran (--no-trials).
            unmeasured = studied(context) and not measured
            note = ("; length-grouped layouts were measured and gave no significant gain" if measured else
                    "; no trial measured a length-grouped layout within the budget" if unmeasured else "")
            fix = ("Keep the layout: the measured gain was within the noise" if measured else
                   "Try a bucket batch sampler: a larger --budget lets the trials measure it" if unmeasured else
                   "Try a bucket batch sampler (the trials measure it)")
            yield self.finding(
                f"{padding:.0%} of token positions in the config's batches are padding" + note, fix,
                evidence, severity=Severity.INFO if measured else Severity.WARNING,
                change=Change() if measured or unmeasured else
                Change(config=layout_patch("bucket", batch, field, mean)))
