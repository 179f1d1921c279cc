// Tiny variant for tests: 64 instances, one epoch.
local base = import "config.jsonnet";
local data = "examples/bert_classifier/data/tiny/";
base + {
  train_data_path: data + "train.jsonl",
  validation_data_path: data + "validation.jsonl",
  data_loader+: { batch_size: 8 },
  trainer+: { num_epochs: 1 },
}
