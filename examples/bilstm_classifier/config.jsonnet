// SST-5-like sentiment classification with a bidirectional LSTM: the classic CPU pain case.
// Data: `python examples/generate.py bilstm_classifier` (8,544 train / 1,101 validation sentences).
local data = "examples/bilstm_classifier/data/full/";
local embedding_dim = 300;
local hidden_size = 256;
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
      type: "lstm",
      input_size: embedding_dim,
      hidden_size: hidden_size,
      num_layers: 1,
      bidirectional: true,
    },
    dropout: 0.3,
  },
  data_loader: { batch_size: 32, shuffle: true },
  trainer: {
    optimizer: { type: "adam", lr: 0.001 },
    num_epochs: 10,
    cuda_device: -1,
    validation_metric: "+accuracy",
  },
}
