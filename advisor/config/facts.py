"""Static facts read from an evaluated config: no AllenNLP, no torch.

Defaults are AllenNLP 2.10.1's where a key is absent, so a fact says what
training will really do, not only what the file spells out.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Dict, Iterator, List, Optional, Tuple

__all__ = [
    "AdviceStamp", "read_advice_stamp", "EmbedderFacts", "EncoderFacts", "DataPathFacts", "ReaderFacts", "VocabularyFacts", "LoaderFacts",
    "TrainerFacts", "DistributedFacts", "ConfigFacts", "config_facts",
]

_ENCODER_SIZE_KEYS = (
    "input_size", "hidden_size", "num_layers", "bidirectional", "input_dim", "hidden_dim",
    "feedforward_hidden_dim", "num_attention_heads", "embedding_dim", "num_filters",
    "ngram_filter_sizes", "output_dim", "projection_dim", "dropout", "dropout_prob", "averaged",
)


@dataclass(frozen=True)
class EmbedderFacts:
    path: str  # dotted key in the config
    name: str  # the token_embedders key (matches a token indexer)
    type: str
    embedding_dim: Optional[int]
    vocab_namespace: Optional[str]
    pretrained_file: Optional[str]
    sparse: bool
    trainable: bool
    model_name: Optional[str] = None
    max_length: Optional[int] = None
    train_parameters: Optional[bool] = None


@dataclass(frozen=True)
class EncoderFacts:
    path: str
    role: str  # seq2vec_encoder, seq2seq_encoder, encoder, ...
    type: str
    sizes: Dict[str, Any]


@dataclass(frozen=True)
class DataPathFacts:
    key: str
    value: str
    exists: Optional[bool]  # None for remote or glob paths
    size_bytes: Optional[int]
    resolved: Optional[str]
    readable: Optional[bool] = None  # None where not checked (remote, glob, missing)


@dataclass(frozen=True)
class ReaderFacts:
    type: str
    tokenizer_type: Optional[str]
    token_indexers: Dict[str, str]  # name -> type
    max_sequence_length: Optional[int]
    options: Dict[str, Any]


@dataclass(frozen=True)
class VocabularyFacts:
    type: str
    min_count: Dict[str, int]
    max_vocab_size: Any
    pretrained_files: Dict[str, str]
    only_include_pretrained_words: bool
    datasets_for_vocab_creation: Optional[List[str]]


@dataclass(frozen=True)
class LoaderFacts:
    key: str
    type: str
    batch_size: Optional[int]
    shuffle: bool
    batch_sampler_type: Optional[str]
    sorting_keys: Optional[List[str]]
    max_tokens: Optional[int]
    num_workers: int
    max_instances_in_memory: Optional[int]
    start_method: str
    batches_per_epoch: Optional[int]


@dataclass(frozen=True)
class TrainerFacts:
    type: str
    cuda_device: Any
    use_amp: bool
    num_epochs: int
    num_gradient_accumulation_steps: int
    optimizer_type: Optional[str]
    optimizer: Dict[str, Any]
    checkpointer: Optional[Dict[str, Any]]
    callbacks: List[str]
    grad_norm: Any


@dataclass(frozen=True)
class DistributedFacts:
    cuda_devices: Optional[List[Any]]
    num_nodes: int
    ddp_accelerator: Optional[str]


@dataclass(frozen=True)
class AdviceStamp:
    """What ``advisor analyze`` recorded in a config it wrote: the machine it was tuned on."""

    fingerprint: str
    peak_rss_bytes: Optional[int] = None


_STAMP_PREFIX = "// advisor-"


def read_advice_stamp(text: str) -> Optional[AdviceStamp]:
    values: Dict[str, str] = {}
    for line in text.splitlines()[:20]:
        if line.startswith(_STAMP_PREFIX) and ":" in line:
            key, _, value = line[len(_STAMP_PREFIX):].partition(":")
            values[key.strip()] = value.strip()
    if "fingerprint" not in values:
        return None
    peak = values.get("peak-rss-bytes")
    return AdviceStamp(values["fingerprint"], int(peak) if peak and peak.isdigit() else None)


@dataclass(frozen=True)
class ConfigFacts:
    model_type: Optional[str]
    embedders: Tuple[EmbedderFacts, ...]
    encoders: Tuple[EncoderFacts, ...]
    reader: ReaderFacts
    data_paths: Tuple[DataPathFacts, ...]
    vocabulary: VocabularyFacts
    data_loader: LoaderFacts
    validation_data_loader: Optional[LoaderFacts]
    trainer: TrainerFacts
    distributed: Optional[DistributedFacts]
    checkpoint_wrappers: Tuple[str, ...] = field(default=())  # dotted paths of checkpoint_wrapper keys
    advice: Optional[AdviceStamp] = None  # set when the config was written by advisor analyze


def _walk(node: Any, path: str = "") -> Iterator[Tuple[str, Any]]:
    yield path, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _walk(value, f"{path}.{key}" if path else str(key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk(value, f"{path}.{i}")


def _embedders(model: Dict[str, Any]) -> List[EmbedderFacts]:
    found = []
    for path, node in _walk(model, "model"):
        if path.endswith("token_embedders") and isinstance(node, dict):
            for name, spec in node.items():
                if not isinstance(spec, dict):
                    continue
                etype = spec.get("type", "embedding")
                transformer = etype.startswith("pretrained_transformer")
                found.append(EmbedderFacts(
                    path=f"{path}.{name}", name=name, type=etype,
                    embedding_dim=spec.get("embedding_dim"),
                    vocab_namespace=spec.get("vocab_namespace", "tokens" if etype == "embedding" else None),
                    pretrained_file=spec.get("pretrained_file"),
                    sparse=bool(spec.get("sparse", False)),
                    trainable=bool(spec.get("trainable", spec.get("train_parameters", True))),
                    model_name=spec.get("model_name"),
                    max_length=spec.get("max_length"),
                    train_parameters=spec.get("train_parameters", True) if transformer else None,
                ))
    return found


def _encoders(model: Dict[str, Any]) -> List[EncoderFacts]:
    found = []
    for path, node in _walk(model, "model"):
        role = path.rsplit(".", 1)[-1]
        if role.endswith("encoder") and isinstance(node, dict) and "type" in node:
            sizes = {k: node[k] for k in _ENCODER_SIZE_KEYS if k in node}
            found.append(EncoderFacts(path, role, node["type"], sizes))
    return found


def _data_path(key: str, value: Any) -> DataPathFacts:
    text = str(value)
    if "://" in text or any(ch in text for ch in "*?["):
        return DataPathFacts(key, text, None, None, None)
    resolved = os.path.abspath(os.path.expanduser(text))  # AllenNLP reads relative to the working directory
    exists = os.path.exists(resolved)
    size = None
    if exists:
        size = os.path.getsize(resolved) if os.path.isfile(resolved) else sum(
            os.path.getsize(os.path.join(d, f)) for d, _, files in os.walk(resolved) for f in files)
    return DataPathFacts(key, text, exists, size, resolved, os.access(resolved, os.R_OK) if exists else None)


def _loader(key: str, spec: Dict[str, Any]) -> LoaderFacts:
    sampler = spec.get("batch_sampler") or {}
    return LoaderFacts(
        key=key,
        type=spec.get("type", "multiprocess"),
        batch_size=spec.get("batch_size", sampler.get("batch_size")),
        shuffle=bool(spec.get("shuffle", False)),
        batch_sampler_type=sampler.get("type") if sampler else None,
        sorting_keys=sampler.get("sorting_keys"),
        max_tokens=sampler.get("max_tokens"),
        num_workers=int(spec.get("num_workers", 0)),
        max_instances_in_memory=spec.get("max_instances_in_memory"),
        start_method=spec.get("start_method", "fork"),
        batches_per_epoch=spec.get("batches_per_epoch"),
    )


def _name(spec: Any, default: Optional[str] = None) -> Optional[str]:
    if isinstance(spec, dict):
        return spec.get("type", default)
    return spec if isinstance(spec, str) else default


def config_facts(params: Dict[str, Any], text: str = "") -> ConfigFacts:
    model = params.get("model") or {}
    reader = params.get("dataset_reader") or {}
    vocab = params.get("vocabulary") or {}
    trainer = params.get("trainer") or {}
    dist = params.get("distributed")
    paths = [_data_path(k, params[k]) for k in ("train_data_path", "validation_data_path", "test_data_path")
             if params.get(k)]
    optimizer = trainer.get("optimizer") or {}
    return ConfigFacts(
        model_type=model.get("type"),
        embedders=tuple(_embedders(model)),
        encoders=tuple(_encoders(model)),
        reader=ReaderFacts(
            type=reader.get("type", "?"),
            tokenizer_type=_name(reader.get("tokenizer")),
            token_indexers={k: _name(v, "single_id") or "?" for k, v in (reader.get("token_indexers") or {}).items()},
            max_sequence_length=reader.get("max_sequence_length"),
            options={k: v for k, v in reader.items() if k not in ("type", "tokenizer", "token_indexers")},
        ),
        data_paths=tuple(paths),
        vocabulary=VocabularyFacts(
            type=vocab.get("type", "from_instances"),
            min_count=dict(vocab.get("min_count") or {}),
            max_vocab_size=vocab.get("max_vocab_size"),
            pretrained_files=dict(vocab.get("pretrained_files") or {}),
            only_include_pretrained_words=bool(vocab.get("only_include_pretrained_words", False)),
            datasets_for_vocab_creation=params.get("datasets_for_vocab_creation"),
        ),
        data_loader=_loader("data_loader", params.get("data_loader") or {}),
        validation_data_loader=(_loader("validation_data_loader", params["validation_data_loader"])
                                if params.get("validation_data_loader") else None),
        trainer=TrainerFacts(
            type=trainer.get("type", "gradient_descent"),
            cuda_device=trainer.get("cuda_device"),
            use_amp=bool(trainer.get("use_amp", False)),
            num_epochs=int(trainer.get("num_epochs", 20)),
            num_gradient_accumulation_steps=int(trainer.get("num_gradient_accumulation_steps", 1)),
            optimizer_type=_name(optimizer),
            optimizer={k: v for k, v in optimizer.items() if k != "type"} if isinstance(optimizer, dict) else {},
            checkpointer=trainer.get("checkpointer"),
            callbacks=[_name(c) or "?" for c in trainer.get("callbacks") or []],
            grad_norm=trainer.get("grad_norm"),
        ),
        distributed=DistributedFacts(
            cuda_devices=dist.get("cuda_devices"),
            num_nodes=int(dist.get("num_nodes", 1)),
            ddp_accelerator=_name(dist.get("ddp_accelerator")),
        ) if isinstance(dist, dict) else None,
        checkpoint_wrappers=tuple(p for p, _ in _walk(params) if p.endswith("checkpoint_wrapper")),
        advice=read_advice_stamp(text),
    )
