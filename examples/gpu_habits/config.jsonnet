// A config as people copy it from GPU work: it names a GPU, mixed precision, 8 loader workers and
// two-GPU distributed training, and takes its data folder from an ext var:
//   advisor analyze examples/gpu_habits/config.jsonnet -V DATA_DIR=examples/gpu_habits/data/full
// (or `export DATA_DIR=...`). On a CPU-only machine `allennlp train` fails on it as written.
local data_dir = std.extVar("DATA_DIR");
local embedding_dim = 300;
{
  dataset_reader: {
    type: "text_classification_json",
    tokenizer: { type: "whitespace" },
    token_indexers: { tokens: { type: "single_id", lowercase_tokens: true } },
  },
  train_data_path: data_dir + "/train.jsonl",
  validation_data_path: data_dir + "/validation.jsonl",
  model: {
    type: "basic_classifier",
    text_field_embedder: {
      token_embedders: { tokens: { type: "embedding", embedding_dim: embedding_dim } },
    },
    seq2vec_encoder: {
      type: "lstm",
      input_size: embedding_dim,
      hidden_size: 512,
      num_layers: 2,
      bidirectional: true,
    },
    dropout: 0.3,
  },
  data_loader: { batch_size: 64, shuffle: true, num_workers: 8, max_instances_in_memory: 6400 },
  validation_data_loader: { batch_size: 128, num_workers: 8 },
  trainer: {
    optimizer: { type: "adam", lr: 0.001 },
    num_epochs: 10,
    cuda_device: 0,
    use_amp: true,
    validation_metric: "+accuracy",
  },
  distributed: {
    cuda_devices: [0, 1],
    ddp_accelerator: { type: "torch", find_unused_parameters: false },
  },
}
