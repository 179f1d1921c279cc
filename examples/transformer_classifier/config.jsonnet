// News classification with a 2-layer transformer encoder trained from scratch, mean-pooled.
// Data: `python examples/generate.py transformer_classifier` (10k train / 1k validation).
local data = "examples/transformer_classifier/data/full/";
local dim = 256;
{
  dataset_reader: {
    type: "text_classification_json",
    tokenizer: { type: "whitespace" },
    token_indexers: { tokens: { type: "single_id", lowercase_tokens: true } },
    max_sequence_length: 128,
  },
  train_data_path: data + "train.jsonl",
  validation_data_path: data + "validation.jsonl",
  model: {
    type: "basic_classifier",
    text_field_embedder: {
      token_embedders: { tokens: { type: "embedding", embedding_dim: dim } },
    },
    seq2seq_encoder: {
      type: "pytorch_transformer",
      input_dim: dim,
      num_layers: 2,
      feedforward_hidden_dim: 4 * dim,
      num_attention_heads: 4,
      positional_encoding: "sinusoidal",
      dropout_prob: 0.1,
    },
    seq2vec_encoder: { type: "bag_of_embeddings", embedding_dim: dim, averaged: true },
  },
  data_loader: { batch_size: 32, shuffle: true },
  trainer: {
    optimizer: { type: "adamw", lr: 0.0005 },
    num_epochs: 5,
    cuda_device: -1,
    validation_metric: "+accuracy",
  },
}
