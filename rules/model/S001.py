from __future__ import annotations

from .._base import Change, Context, Kind, Rule, Severity

_DOMINANT = 0.5


class DominantEncoder(Rule):
    """A pretrained transformer or large encoder dominates the model; smaller variants measured.

    ## What it does
    Fires when a `pretrained_transformer` embedder is trained, or an encoder holds over half of
    the non-embedding parameters. Reports the what-ifs the advisor measured (shorter
    `max_length`, frozen transformer, fewer layers, a smaller hidden size, an LSTM instead of a
    transformer) with their measured speed gain. Each changes the model: never applied silently.

    ## Why it matters
    On CPU a transformer's cost grows with layers x hidden size squared x sequence length;
    fine-tuning all of BERT is often 10x the cost of freezing it or of a small LSTM, for a
    modest accuracy difference that only the user can weigh.

    ## Example
    BERT-base fine-tuned with `max_length: 512` on sentences of 30 wordpieces.

    ## Fix
    Pick a what-if worth its accuracy cost and apply its patch yourself (or `--apply-behaviour`).

    ## References
    - AllenNLP PretrainedTransformerEmbedder `max_length`, `train_parameters`
    """

    code = "S001"
    title = "dominant-encoder"
    category = "model"
    severity = Severity.INFO
    kind = Kind.BEHAVIOUR

    def check(self, context: Context):
        model = context.model
        if model is None:
            return
        whatifs = context.study.whatifs if context.study is not None else ()
        for w in whatifs:
            if not w.significant or w.speedup <= 1:
                continue
            yield self.finding(
                f"what-if '{w.name}': {w.verdict}",
                f"Consider: {w.description}",
                {"what-if": w.name, "instances/s as configured": round(w.reference_instances_per_s, 1),
                 "instances/s with the change": round(w.instances_per_s, 1), "rounds": w.rounds},
                change=Change(config=dict(w.patch)), expected_effect=w.verdict, speedup=w.speedup)
        if whatifs:
            return
        emb_params = sum(m.rows * m.dim for m in model.embeddings if "word_embeddings" not in m.module)
        rest = max(1, model.parameters_total - emb_params)
        big = [g for g in model.parameters_by_module
               if g.module_type not in ("Embedding", "Linear", "LayerNorm") and g.parameters / rest > _DOMINANT]
        trained_transformer = [e for e in context.config.embedders
                               if e.type.startswith("pretrained_transformer") and e.train_parameters]
        if not (big or trained_transformer):
            return
        what = (f"pretrained transformer '{trained_transformer[0].model_name}' is fine-tuned"
                if trained_transformer else f"{big[0].module_type} holds {big[0].parameters / rest:.0%} of the "
                                            "non-embedding parameters")
        yield self.finding(
            f"{what}: it dominates the step (what-ifs not measured in this run)",
            "Run the advisor with trials to measure smaller variants",
            {"parameters": model.parameters_total, "by module": {g.module_type: g.parameters
                                                                 for g in model.parameters_by_module[:4]}})
