// Tiny variant for tests: 64 sentences, small dimensions, one epoch.
local base = import "config.jsonnet";
local data = "examples/gru_tagger/data/tiny/";
base + {
  train_data_path: data + "train.tsv",
  validation_data_path: data + "validation.tsv",
  model+: {
    text_field_embedder: { token_embedders: { tokens: { type: "embedding", embedding_dim: 8 } } },
    encoder+: { input_size: 8, hidden_size: 6 },
  },
  data_loader+: { batch_size: 8 },
  trainer+: { num_epochs: 1 },
}
