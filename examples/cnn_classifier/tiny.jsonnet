// Tiny variant for tests: 64 instances, small dimensions, one epoch.
local base = import "config.jsonnet";
local data = "examples/cnn_classifier/data/tiny/";
base + {
  train_data_path: data + "train.jsonl",
  validation_data_path: data + "validation.jsonl",
  model+: {
    text_field_embedder: { token_embedders: { tokens: { type: "embedding", embedding_dim: 8 } } },
    seq2vec_encoder+: { embedding_dim: 8, num_filters: 4 },
  },
  data_loader+: { batch_size: 8 },
  trainer+: { num_epochs: 1 },
}
