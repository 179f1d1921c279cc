// SST-2-like sentence classification fine-tuning a BERT, offline.
// The model is a 1-layer, 20-dim BERT shipped beside this file (bert-xsmall-dummy):
// swap `bert` for e.g. "bert-base-uncased" to run the real thing.
// Data: `python examples/generate.py bert_classifier` (4k train / 500 validation).
local data = "examples/bert_classifier/data/full/";
local bert = "examples/bert_classifier/bert-xsmall-dummy";
local max_length = 128;
{
  dataset_reader: {
    type: "text_classification_json",
    tokenizer: { type: "pretrained_transformer", model_name: bert, max_length: max_length },
    token_indexers: { tokens: { type: "pretrained_transformer", model_name: bert, max_length: max_length } },
  },
  train_data_path: data + "train.jsonl",
  validation_data_path: data + "validation.jsonl",
  model: {
    type: "basic_classifier",
    text_field_embedder: {
      token_embedders: {
        tokens: { type: "pretrained_transformer", model_name: bert, max_length: max_length, train_parameters: true },
      },
    },
    seq2vec_encoder: { type: "cls_pooler", embedding_dim: 20 },
    dropout: 0.1,
  },
  data_loader: { batch_size: 16, shuffle: true },
  trainer: {
    optimizer: { type: "huggingface_adamw", lr: 2e-5, weight_decay: 0.01 },
    num_epochs: 3,
    cuda_device: -1,
    validation_metric: "+accuracy",
  },
}
