"""Rich tables for ``advisor inspect``: the config's static facts and the built model's facts."""
from __future__ import annotations

from typing import List, Optional

from rich.console import RenderableType
from rich.table import Table

from ..config import ConfigFacts
from ..inspect.facts import ModelFacts
from ._format import bytes_h, or_dash

__all__ = ["static_renderables", "model_renderables"]


def _table(title: str, *columns: str) -> Table:
    table = Table(title=title, title_justify="left", box=None, padding=(0, 2), header_style="bold")
    for column in columns:
        table.add_column(column, overflow="fold")
    return table


def _sizes(sizes: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in sizes.items()) or "-"


def static_renderables(facts: ConfigFacts, config: str, config_hash: str) -> List[RenderableType]:
    out: List[RenderableType] = []
    model = _table(f"Model · {config} · {facts.model_type} · config hash {config_hash}",
                   "part", "type", "details")
    for emb in facts.embedders:
        if emb.type.startswith("pretrained_transformer"):
            details = (f"model_name={emb.model_name}, max_length={or_dash(emb.max_length)}, "
                       f"train_parameters={emb.train_parameters}")
        else:
            details = (f"dim={or_dash(emb.embedding_dim)}, namespace={or_dash(emb.vocab_namespace)}, "
                       f"sparse={emb.sparse}, trainable={emb.trainable}"
                       + (f", pretrained_file={emb.pretrained_file}" if emb.pretrained_file else ""))
        model.add_row(f"embedder {emb.name}", emb.type, details)
    for enc in facts.encoders:
        model.add_row(enc.role, enc.type, _sizes(enc.sizes))
    out.append(model)

    data = _table("Data", "key", "value", "exists", "size")
    reader = facts.reader
    data.add_row("dataset_reader", reader.type, "", "")
    data.add_row("tokenizer", or_dash(reader.tokenizer_type), "", "")
    data.add_row("token_indexers", ", ".join(f"{k}: {v}" for k, v in reader.token_indexers.items()) or "-", "", "")
    for path in facts.data_paths:
        exists = "-" if path.exists is None else ("[green]yes[/]" if path.exists else "[red]no[/]")
        data.add_row(path.key, path.value, exists, bytes_h(path.size_bytes))
    vocab = facts.vocabulary
    data.add_row("vocabulary", f"{vocab.type}, min_count={vocab.min_count or '-'}, "
                               f"max_vocab_size={or_dash(vocab.max_vocab_size)}", "", "")
    out.append(data)

    train = _table("Loading and training", "key", "value")
    for loader in filter(None, (facts.data_loader, facts.validation_data_loader)):
        sampler = (f"batch_sampler={loader.batch_sampler_type} (sorting_keys={loader.sorting_keys}, "
                   f"max_tokens={loader.max_tokens})" if loader.batch_sampler_type else "no batch_sampler")
        train.add_row(loader.key, f"{loader.type}, batch_size={or_dash(loader.batch_size)}, {sampler}, "
                                  f"num_workers={loader.num_workers}, max_instances_in_memory="
                                  f"{or_dash(loader.max_instances_in_memory)}, start_method={loader.start_method}")
    tr = facts.trainer
    train.add_row("trainer", f"{tr.type}, cuda_device={or_dash(tr.cuda_device)}, use_amp={tr.use_amp}, "
                             f"num_epochs={tr.num_epochs}, grad_accumulation={tr.num_gradient_accumulation_steps}")
    train.add_row("optimizer", f"{or_dash(tr.optimizer_type)} {tr.optimizer or ''}")
    train.add_row("callbacks", ", ".join(tr.callbacks) or "-")
    if facts.distributed:
        d = facts.distributed
        train.add_row("distributed", f"cuda_devices={d.cuda_devices}, num_nodes={d.num_nodes}, "
                                     f"ddp_accelerator={or_dash(d.ddp_accelerator)}")
    out.append(train)
    return out


def _count(n: Optional[int]) -> str:
    return "-" if n is None else f"{n:,}"


def model_renderables(facts: ModelFacts) -> List[RenderableType]:
    out = static_renderables(facts.static, facts.config, facts.config_hash)
    s = facts.sample
    sample = _table("Sample of the training data (read with the config's reader)", "fact", "value")
    sample.add_row("instances read", f"{s.instances:,} in {s.seconds:.2f} s"
                   + (f" (stopped by the {s.stopped_by} cap)" if s.stopped_by else ""))
    sample.add_row("instances in the file", f"{_count(s.estimated_total)} ({s.estimate_method})")
    for ln in facts.lengths:
        sample.add_row(f"length of {ln.field}", f"mean {ln.mean}, p50 {ln.p50:g}, p95 {ln.p95:g}, max {ln.max}")
    p = facts.padding
    sample.add_row("padding", f"{p.padding_fraction:.1%} of {p.positions:,} token positions in {p.batches} "
                              f"batches are padding ({p.batch_layout})")
    out.append(sample)

    vocab = _table("Vocabulary (built on the sample; sizes estimated for the whole file where marked)",
                   "namespace", "size", "types seen", "seen once", "tokens")
    for ns in facts.vocabulary:
        size = f"{ns.vocab_size:,}"
        if ns.sample_vocab_size is not None:
            size += f" (est. whole file; sample {ns.sample_vocab_size:,})"
        vocab.add_row(ns.namespace, size, f"{ns.types_in_sample:,}",
                      f"{ns.singletons_in_sample:,}", f"{ns.tokens_in_sample:,}")
    out.append(vocab)

    params = _table(f"Parameters: {facts.parameters_total:,} total, {facts.parameters_trainable:,} trainable, "
                    f"{facts.parameters_frozen:,} frozen", "module type", "parameters", "trainable", "share")
    for group in facts.parameters_by_module:
        share = group.parameters / facts.parameters_total if facts.parameters_total else 0
        params.add_row(group.module_type, f"{group.parameters:,}", f"{group.trainable:,}", f"{share:.1%}")
    out.append(params)

    if facts.embeddings:
        emb = _table("Embedding matrices", "module", "shape", "sparse", "trainable")
        for e in facts.embeddings:
            emb.add_row(e.module, f"{e.rows:,} x {e.dim}", str(e.sparse), str(e.trainable))
        out.append(emb)
    t = facts.timings
    out.append(f"[dim]advisor overhead: import {t.import_s:.1f} s, read {t.read_s:.1f} s, vocabulary "
               f"{t.vocab_s:.1f} s, model {t.model_s:.1f} s, batching {t.loader_s:.1f} s[/]")
    return out
