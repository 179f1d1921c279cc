// Tiny variant for tests: small dimensions, one epoch; still needs -V DATA_DIR=...
local base = import "config.jsonnet";
base + {
  model+: {
    text_field_embedder: { token_embedders: { tokens: { type: "embedding", embedding_dim: 8 } } },
    seq2vec_encoder+: { input_size: 8, hidden_size: 6 },
  },
  data_loader+: { batch_size: 8, max_instances_in_memory: 16 },
  trainer+: { num_epochs: 1 },
}
