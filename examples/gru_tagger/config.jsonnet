// Penn-Treebank-POS-like tagging with a 2-layer bidirectional GRU (`simple_tagger`).
// Data: `python examples/generate.py gru_tagger` (12k train / 1k validation sentences, 45 tags).
local data = "examples/gru_tagger/data/full/";
local embedding_dim = 100;
{
  dataset_reader: {
    type: "sequence_tagging",
    word_tag_delimiter: "###",
    token_indexers: { tokens: { type: "single_id", lowercase_tokens: true } },
  },
  train_data_path: data + "train.tsv",
  validation_data_path: data + "validation.tsv",
  model: {
    type: "simple_tagger",
    text_field_embedder: {
      token_embedders: { tokens: { type: "embedding", embedding_dim: embedding_dim } },
    },
    encoder: {
      type: "gru",
      input_size: embedding_dim,
      hidden_size: 200,
      num_layers: 2,
      bidirectional: true,
      dropout: 0.2,
    },
  },
  data_loader: { batch_size: 32, shuffle: true },
  trainer: {
    optimizer: { type: "adam", lr: 0.001 },
    num_epochs: 10,
    cuda_device: -1,
    validation_metric: "+accuracy",
  },
}
