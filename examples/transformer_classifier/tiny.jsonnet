// Tiny variant for tests: 64 instances, one 16-dim layer, one epoch.
local base = import "config.jsonnet";
local data = "examples/transformer_classifier/data/tiny/";
base + {
  train_data_path: data + "train.jsonl",
  validation_data_path: data + "validation.jsonl",
  model+: {
    text_field_embedder: { token_embedders: { tokens: { type: "embedding", embedding_dim: 16 } } },
    seq2seq_encoder+: { input_dim: 16, num_layers: 1, feedforward_hidden_dim: 32, num_attention_heads: 2 },
    seq2vec_encoder+: { embedding_dim: 16 },
  },
  data_loader+: { batch_size: 8 },
  trainer+: { num_epochs: 1 },
}
