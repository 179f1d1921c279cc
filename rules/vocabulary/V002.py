from __future__ import annotations

from .._base import Change, Context, Kind, Rule, Severity

_LARGE = 1_000_000  # parameters in one embedding matrix
_DENSE = ("adam", "adamw", "huggingface_adamw", "adagrad", "rmsprop", "adamax")


class DenseUpdatesOfLargeEmbedding(Rule):
    """A large embedding trained with a dense optimizer: every row is updated every step.

    ## What it does
    Fires when a trainable `embedding` matrix has over a million parameters, is not `sparse`,
    and the optimizer updates dense (Adam and friends).

    ## Why it matters
    A batch touches a few hundred rows, but a dense optimizer reads and writes the whole matrix
    and its two moment buffers every step: memory-bandwidth bound on CPU. `sparse: true` with
    `dense_sparse_adam` updates only the rows in the batch; Adam's moments then differ for rows
    not in the batch, so it is behaviour-changing.

    ## Example
    40k x 300 embedding (12M parameters) under `adam`.

    ## Fix
    ```jsonnet
    token_embedders: { tokens: { type: "embedding", embedding_dim: 300, sparse: true } },
    trainer: { optimizer: { type: "dense_sparse_adam", lr: 0.001 } }
    ```

    ## References
    - AllenNLP DenseSparseAdam: https://docs.allennlp.org/main/api/training/optimizers/
    """

    code = "V002"
    title = "dense-updates-of-large-embedding"
    category = "vocabulary"
    severity = Severity.INFO
    kind = Kind.BEHAVIOUR

    def check(self, context: Context):
        model = context.model
        optimizer = context.config.trainer.optimizer_type
        if model is None or optimizer not in _DENSE:
            return
        for emb in context.config.embedders:
            if emb.type != "embedding" or emb.sparse or not emb.trainable:
                continue
            matrix = next((m for m in model.embeddings if m.module.endswith(f"token_embedder_{emb.name}")), None)
            if matrix is None or matrix.rows * matrix.dim < _LARGE:
                continue
            lr = context.config.trainer.optimizer.get("lr", 0.001)
            yield self.finding(
                f"embedding '{emb.name}' ({matrix.rows:,} x {matrix.dim}) is updated densely by {optimizer} every step",
                "Use sparse: true with the dense_sparse_adam optimizer",
                {"embedding": f"{matrix.rows:,} x {matrix.dim}", "optimizer": optimizer,
                 "note": "rows counted on the sample's vocabulary; the full vocabulary is larger"},
                change=Change(config={f"{emb.path}.sparse": True,
                                      "trainer.optimizer": {"type": "dense_sparse_adam", "lr": lr}}))
