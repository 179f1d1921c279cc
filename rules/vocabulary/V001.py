from __future__ import annotations

from .._base import Change, Context, Kind, Rule, Severity

_SHARE = 0.3  # singletons above 30% of the types in the sample


class SingletonTokens(Rule):
    """Many tokens are seen once: `min_count` would shrink the embedding matrix.

    ## What it does
    Counts the types seen exactly once in the sample's largest embedded namespace (as
    `Vocabulary.from_instances` counts them). When they are a large share of the vocabulary,
    reports how many embedding rows `min_count: 2` removes and the parameters and optimizer
    state that go with them.

    ## Why it matters
    A word seen once gets an embedding row trained on one example; each row costs
    `embedding_dim` parameters plus (with Adam) two state vectors updated densely every step.
    Mapping rare words to OOV is standard practice, but it changes the model: behaviour-changing.

    ## Example
    SST-like data: 58% of the 7,114 types in a 2,000-sentence sample occur once.

    ## Fix
    `vocabulary: { min_count: { tokens: 2 } }` (the namespace of the embedder).

    ## References
    - AllenNLP Vocabulary `min_count`: https://docs.allennlp.org/main/api/data/vocabulary/
    """

    code = "V001"
    title = "singleton-tokens"
    category = "vocabulary"
    severity = Severity.INFO
    kind = Kind.BEHAVIOUR

    def check(self, context: Context):
        model = context.model
        if model is None or context.config.vocabulary.min_count:
            return
        namespaces = {e.vocab_namespace for e in context.config.embedders if e.type == "embedding"}
        candidates = [ns for ns in model.vocabulary if ns.namespace in namespaces and ns.types_in_sample]
        if not candidates:
            return
        ns = max(candidates, key=lambda n: n.vocab_size)
        share = ns.singletons_in_sample / ns.types_in_sample
        if share < _SHARE:
            return
        dim = next((e.embedding_dim for e in context.config.embedders if e.vocab_namespace == ns.namespace), None) or 0
        rows = ns.singletons_in_sample
        dense = context.config.trainer.optimizer_type in ("adam", "adamw", "huggingface_adamw")
        state = 3 if dense else 1
        yield self.finding(
            f"{share:.0%} of the {ns.types_in_sample:,} '{ns.namespace}' types in the sample occur once",
            f"Consider vocabulary.min_count {{{ns.namespace}: 2}} (removes ~{rows:,} rows in the sample)",
            {"types in sample": ns.types_in_sample, "seen once": rows, "embedding dim": dim,
             "parameters removed (sample)": rows * dim,
             "floats updated per step removed (weights + optimizer state)": rows * dim * state,
             "note": "counted on the sample; the full data has more types and more singletons"},
            change=Change(config={"vocabulary.min_count": {ns.namespace: 2}}))
