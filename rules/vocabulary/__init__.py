"""V: vocabulary and embeddings (behaviour-changing: they change what the model learns)."""


def get_rules():
    from .V001 import SingletonTokens
    from .V002 import DenseUpdatesOfLargeEmbedding

    return [SingletonTokens, DenseUpdatesOfLargeEmbedding]
