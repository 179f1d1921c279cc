"""Turn a :class:`BuiltExperiment` into :class:`ModelFacts` (uses torch and AllenNLP objects)."""
from __future__ import annotations

import time
from collections import defaultdict
from typing import Any, Dict, List

from .build import BuiltExperiment
from .tensors import batch_counts
from .facts import (
    SCHEMA_VERSION, BuildTimings, EmbeddingMatrix, ModelFacts, NamespaceFacts, PaddingFacts, ParameterGroup,
    SampleFacts, length_stats,
)

__all__ = ["model_facts"]


def _text_lengths(instances: List[Any]) -> Dict[str, List[int]]:
    from allennlp.data.fields import ListField, TextField

    out: Dict[str, List[int]] = defaultdict(list)
    for instance in instances:
        for name, fld in instance.fields.items():
            if isinstance(fld, TextField):
                out[name].append(len(fld.tokens))
            elif isinstance(fld, ListField) and fld.field_list and isinstance(fld.field_list[0], TextField):
                out[name].extend(len(f.tokens) for f in fld.field_list)
    return out


def _namespaces(built: BuiltExperiment) -> List[NamespaceFacts]:
    # Count exactly as Vocabulary.from_instances does, through the instances' own method.
    counter: Dict[str, Dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for instance in built.instances:
        instance.count_vocab_items(counter)
    out = []
    padded = {e.namespace: e.sample_size for e in built.vocab_estimates}
    for namespace in sorted(set(counter) | set(built.vocab.get_namespaces())):
        counts = counter.get(namespace, {})
        out.append(NamespaceFacts(
            namespace=namespace,
            vocab_size=built.vocab.get_vocab_size(namespace),
            types_in_sample=len(counts),
            singletons_in_sample=sum(1 for c in counts.values() if c == 1),
            tokens_in_sample=sum(counts.values()),
            sample_vocab_size=padded.get(namespace),
        ))
    return out


def _parameters(model: Any):
    groups: Dict[str, List[int]] = defaultdict(lambda: [0, 0])
    for module in model.modules():
        for p in module.parameters(recurse=False):
            entry = groups[type(module).__name__]
            entry[0] += p.numel()
            entry[1] += p.numel() if p.requires_grad else 0
    total = sum(p.numel() for p in model.parameters())
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    by_type = sorted((ParameterGroup(name, n, t) for name, (n, t) in groups.items()), key=lambda g: -g.parameters)
    return total, trainable, by_type


def _embeddings(model: Any) -> List[EmbeddingMatrix]:
    import torch
    from allennlp.modules.token_embedders import Embedding

    out = []
    for name, module in model.named_modules():
        if isinstance(module, (torch.nn.Embedding, Embedding)):
            rows, dim = module.weight.shape
            out.append(EmbeddingMatrix(name, int(rows), int(dim), bool(getattr(module, "sparse", False)),
                                       bool(module.weight.requires_grad)))
    return out


def _layout(spec: Dict[str, Any]) -> str:
    sampler = spec.get("batch_sampler")
    if sampler:
        keys = {k: v for k, v in sampler.items() if k != "type"}
        return f"batch_sampler {sampler.get('type')} {keys}"
    return f"batch_size {spec.get('batch_size', 'default')}" + (", shuffled" if spec.get("shuffle") else "")


def _padding(built: BuiltExperiment) -> PaddingFacts:
    spec = built.experiment.params.get("data_loader") or {}
    # Workers only move the same batches to other processes; 0 keeps this step light.
    loader = built.data_loader({"num_workers": 0})
    batches = instances = 0
    per_field: Dict[str, List[int]] = defaultdict(lambda: [0, 0])
    for batch in loader:
        batches += 1
        n, fields = batch_counts(batch)
        instances += n
        for name, (real, positions) in fields.items():
            per_field[name][0] += positions
            per_field[name][1] += real
    positions = sum(n for n, _ in per_field.values())
    real = sum(r for _, r in per_field.values())
    fraction = 1 - real / positions if positions else 0.0
    return PaddingFacts(
        batches=batches, instances=instances, positions=positions, real_tokens=real,
        padding_fraction=round(fraction, 4), batch_layout=_layout(spec),
        per_field={k: round(1 - r / n, 4) if n else 0.0 for k, (n, r) in per_field.items()},
    )


def model_facts(built: BuiltExperiment) -> ModelFacts:
    exp = built.experiment
    namespaces = _namespaces(built)  # before the loader indexes the instances (indexed labels are not counted)
    t0 = time.perf_counter()
    padding = _padding(built)
    loader_s = time.perf_counter() - t0
    total, trainable, by_type = _parameters(built.model)
    train = next(p for p in exp.facts.data_paths if p.key == "train_data_path")
    lengths = _text_lengths(built.instances)
    return ModelFacts(
        schema_version=SCHEMA_VERSION,
        config=str(exp.path),
        config_hash=exp.config_hash,
        static=exp.facts,
        sample=SampleFacts(
            instances=len(built.instances), seconds=round(built.sample_seconds, 3),
            exhausted=built.sample_exhausted, stopped_by=built.sample_stopped_by,
            estimated_total=built.estimated_total, estimate_method=built.estimate_method,
            file_bytes=train.size_bytes),
        lengths=tuple(length_stats(name, values) for name, values in sorted(lengths.items()) if values),
        vocabulary=tuple(namespaces),
        parameters_total=total,
        parameters_trainable=trainable,
        parameters_frozen=total - trainable,
        parameters_by_module=tuple(by_type),
        embeddings=tuple(_embeddings(built.model)),
        padding=padding,
        timings=BuildTimings(**{k: round(v, 3) for k, v in built.timings.items()}, loader_s=round(loader_s, 3)),
    )
