// AG-News-like topic classification with a CNN over word embeddings.
// Data: `python examples/generate.py cnn_classifier` (24k train / 2k validation, 40k-word Zipf vocabulary).
// Paths are relative to the repository root, as `allennlp train` resolves them from the current directory.
local data = "examples/cnn_classifier/data/full/";
local embedding_dim = 100;
{
  dataset_reader: {
    type: "text_classification_json",
    tokenizer: { type: "whitespace" },
    token_indexers: { tokens: { type: "single_id", lowercase_tokens: true } },
  },
  train_data_path: data + "train.jsonl",
  validation_data_path: data + "validation.jsonl",
  model: {
    type: "basic_classifier",
    text_field_embedder: {
      token_embedders: { tokens: { type: "embedding", embedding_dim: embedding_dim } },
    },
    seq2vec_encoder: {
      type: "cnn",
      embedding_dim: embedding_dim,
      num_filters: 100,
      ngram_filter_sizes: [2, 3, 4],
    },
    dropout: 0.2,
  },
  data_loader: { batch_size: 32, shuffle: true },
  trainer: {
    optimizer: { type: "adam", lr: 0.001 },
    num_epochs: 5,
    cuda_device: -1,
    validation_metric: "+accuracy",
  },
}
