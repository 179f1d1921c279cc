"""Real training steps of the built experiment under one setting (runs inside a worker).

Forward, backward and optimizer step of the model AllenNLP built from the
config, fed by the config's data loader over the sample, as the trainer runs
them. The model is reset to its initial weights and gets a fresh optimizer
for every trial, so trials do not inherit each other's state.

Every trial of one batch layout sees the same batches in the same order: the
epoch of the sample is collated once per layout (timing each batch's
collation) and replayed in an order whose every prefix spans the short and
the long batches. A short window then measures like batches for every
setting, and the epoch profile (instances and padded positions of every
batch) lets the parent scale the window to a whole epoch
(``advisor.trials.estimate``). Streaming loaders (``max_instances_in_memory``)
with worker processes are iterated live, their workers reading and tokenizing the
sample's instances from the file again, so the workers' cost is measured; their windows are
scaled to the epoch the workers make of the sample, each batching its own share. Their workers
read a whole chunk before the first batch of an epoch comes, and a short window would start after
that wait: the wait is timed and spread over the instances it made ready, so every step carries
its share of the reading as a whole epoch does. Without ``max_instances_in_memory``
AllenNLP reads the file once before training and batches from memory in the
main process whatever ``num_workers`` is, which the replay is.
"""
from __future__ import annotations

import copy
import random
import resource
import statistics
import time
from typing import Any, Dict, Iterator, List, Optional, Tuple

from ..inspect.build import BuiltExperiment
from ..inspect.tensors import batch_counts
from .setting import CONFIG, DEFAULT, Setting, layout_overrides

__all__ = ["TrialRunner", "spread_order"]

_GOLDEN = 0.6180339887498949


def spread_order(sizes: List[float]) -> List[int]:
    """Indices of ``sizes`` in an order whose every prefix spans small to large (low discrepancy)."""
    ranked = sorted(range(len(sizes)), key=lambda i: (sizes[i], i))
    keys = sorted(range(len(ranked)), key=lambda r: ((r * _GOLDEN) % 1.0, r))
    return [ranked[r] for r in keys]


def _join_workers_at_once(workers: List[Any], queue: Any, txs: List[Any], grace_s: float = 0.2) -> None:
    """AllenNLP 2.10's ``MultiProcessDataLoader._join_workers``, with one short wait for all its workers.

    A window ends its live loader mid-epoch. AllenNLP then sends each worker "stop" and joins them one
    after another for up to 1 s each; a worker busy reading its chunk does not look at the message,
    so each join times out before it is terminated: 8 s per window with the GPU-habits example's 8
    workers (every ``end`` took 8.02 s), time no real epoch spends (its workers run out of instances
    and exit on their own). The steps are the same as AllenNLP's, in the same order (the queue's
    counts released while the workers live, which a worker waiting in ``queue.join()`` needs), but
    the workers share one ``grace_s`` wait before those still running are terminated.
    """
    for _ in range(len(workers)):
        try:
            queue.task_done()
        except ValueError:  # a worker died early
            break
    for tx in txs:
        try:
            tx.send("stop")
        except (BrokenPipeError, OSError):  # that worker has exited already
            pass
    deadline = time.monotonic() + grace_s
    for worker in workers:
        worker.join(max(0.0, deadline - time.monotonic()))
    for worker in workers:
        if worker.is_alive():
            worker.terminate()
    for worker in workers:
        worker.join(5)


def _first_text_field(built: BuiltExperiment) -> Optional[str]:
    from allennlp.data.fields import TextField

    for name, fld in built.instances[0].fields.items():
        if isinstance(fld, TextField):
            return name
    return None


def _peak_rss_bytes() -> int:
    self_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(self_kb) * 1024


class TrialRunner:
    """Runs trials one after another in a live worker process."""

    def __init__(self, built: BuiltExperiment) -> None:
        import torch

        self.torch = torch
        self.built = built
        self.initial_state = copy.deepcopy(built.model.state_dict())
        self.default_threads = torch.get_num_threads()
        self.text_field = _first_text_field(built)
        lengths = [len(inst.fields[self.text_field].tokens) for inst in built.instances] if self.text_field else [1]
        self.mean_tokens = statistics.mean(lengths)
        loader = built.experiment.facts.data_loader
        spec = built.experiment.params.get("data_loader") or {}
        self.batch_size = loader.batch_size or (spec.get("batch_sampler") or {}).get("batch_size") or 32
        self.config_mem = loader.max_instances_in_memory
        # A streaming loader without workers reads (tokenizes) every batch in the main process each
        # epoch: the replay adds the sample's measured reading time per instance to such steps.
        self.read_per_instance = (built.timings.get("read_s", 0.0) / len(built.instances)
                                  if self.config_mem and built.instances else 0.0)
        self._batches: Optional[Iterator[Any]] = None
        # layout -> (batches, id(batch) -> its collation seconds, the epoch totals sent with every trial)
        self._epochs: Dict[str, Tuple[List[Any], Dict[int, float], Dict[str, int]]] = {}
        self._collate: Dict[int, float] = {}  # the replayed epoch's collation seconds, while it is replayed
        # A live loader's fill: seconds per instance its workers took to hand over the first batch of an
        # epoch; per batch of the instances it made ready, the seconds to add to its step (its share,
        # less the wait the first one timed).
        self.fill_per_instance = 0.0
        self._fill_charges: Dict[int, float] = {}
        self._live_profiles: Dict[Tuple[str, int], Dict[str, int]] = {}  # (layout, workers) -> epoch totals
        self.bf16 = False

    # -- one trial -------------------------------------------------------
    def begin(self, setting: Setting, warmup_steps: int, offset: int = 0,
              slow_s: Optional[float] = None) -> Dict[str, Any]:
        """Set the trial up and run its warm-up steps: ``warmup_steps``, or two where the second took
        longer than ``slow_s`` (a heavy model's: the first carries the start-up and the loader's fill,
        the second sizes the window, and a third would cost seconds that no measurement uses)."""
        torch = self.torch
        threads = self.default_threads if setting.intra_op_threads == DEFAULT else int(setting.intra_op_threads)
        torch.set_num_threads(threads)
        model = self.built.model
        model.load_state_dict(self.initial_state)
        model.train()
        self.optimizer = self.built.optimizer()
        layout = layout_overrides(setting.batch_layout, self.batch_size, self.text_field, self.mean_tokens)
        overrides = dict(layout)
        if setting.num_workers != CONFIG:
            overrides["num_workers"] = int(setting.num_workers)
        torch.manual_seed(0)  # the same dropout masks in every trial
        # Only a streaming loader (max_instances_in_memory) has its workers produce batches beside the
        # steps; without it AllenNLP reads the file once and batches from memory in the main process,
        # which the replay is, whatever num_workers says.
        workers = int(overrides.get("num_workers", self._config_workers()))
        if self.config_mem and workers > 0:
            profile = self._live_profile(setting.batch_layout, layout, workers)
            # The same shuffle in the main process (the forked workers inherit it) at every begin: a live
            # loader's pieces start on the same batches (which worker's come first still varies). Tried:
            # seeded by the offset, each piece on its own batches. GPU habits' bucket/config over eleven
            # steps after a warm-up step read x1.08 (x0.97-x1.14, six begins; benchmarks/layout_pieces.py),
            # with this seed x1.04 (x1.01-x1.07), but an analysis's rounds no longer called bucket (x1.08, 90% CI
            # x0.85-x1.10; with this seed x1.10, CI x1.07-x1.15; real x1.18): the positions the epoch is
            # scaled by time a packed LSTM's batches only roughly (a config batch of 3,584 positions took
            # 1.4-1.6 s, a bucketed one of 3,248 took 1.9-2.3 s), so each piece's other batches add noise.
            random.seed(0)
            self.loader = self.built.data_loader(overrides, live=True)  # the workers read, as they would
            if hasattr(self.loader, "_join_workers"):
                self.loader._join_workers = _join_workers_at_once  # this loader only: see there
            # Each worker reads its shard a chunk at a time: the first batch waits for about this many.
            self._batches = self._forever(min(len(self.built.instances), workers * self.config_mem))
        else:  # the replayed epoch is collated only for settings that replay it
            self.loader = None
            batches, collate, profile = self._epoch(setting.batch_layout, layout)
            self._batches = self._replay(batches, collate, offset)
        self.bf16 = setting.precision == "bf16"
        warm = self.steps(min(warmup_steps, 2))
        if warmup_steps > 2 and not (slow_s is not None and warm["seconds"][-1] > slow_s):
            more = self.steps(warmup_steps - 2)
            warm = {key: warm[key] + more[key] for key in warm}
        return {"threads": threads, "warmup": warm, "epoch": profile}

    def _config_workers(self) -> int:
        spec = self.built.experiment.params.get("data_loader") or {}
        return int(spec.get("num_workers") or 0)

    def _epoch(self, layout: str, overrides: Dict[str, Any]) -> Tuple[List[Any], Dict[int, float], Dict[str, int]]:
        """One epoch of the sample in this layout, collated once, in spread order, with collation times."""
        if layout not in self._epochs:
            random.seed(0)
            loader = self.built.data_loader({**overrides, "num_workers": None})
            batches, seconds = [], []
            iterator = iter(loader)
            while True:
                start = time.perf_counter()
                batch = next(iterator, None)
                if batch is None:
                    break
                seconds.append(time.perf_counter() - start)
                batches.append(batch)
            if not batches:
                raise RuntimeError("the data loader produced no batches from the sample")
            counts = [self._count(b) for b in batches]
            order = spread_order([c[2] or c[0] for c in counts])
            profile = {"batches": len(batches), "instances": sum(c[0] for c in counts),
                       "tokens": sum(c[1] for c in counts), "positions": sum(c[2] for c in counts)}
            self._epochs[layout] = ([batches[i] for i in order], {id(b): t for b, t in zip(batches, seconds)},
                                    profile)
        return self._epochs[layout]

    def _live_profile(self, layout: str, overrides: Dict[str, Any], workers: int) -> Dict[str, int]:
        """The epoch a live loader's workers make of the sample, the profile its windows are scaled to.

        Each worker reads every ``workers``-th instance (AllenNLP's sharding for a reader that does not
        shard itself) and batches its own share, so a bucketed epoch is more padded than the replayed
        one: on GPU habits (8 workers) 27.2 padded positions per instance against 21.4. Scaled to the
        replayed epoch, a window of the live batches credited bucket batches with padding its steps
        never saw (x1.35 in the trials, x1.05-1.19 in real `allennlp train` runs). Batched here from
        the instances in memory, per share, as each worker would (no reading, so no seconds of it).
        """
        key = (layout, workers)
        if key not in self._live_profiles:
            random.seed(0)
            totals = {"batches": 0, "instances": 0, "tokens": 0, "positions": 0}
            for worker in range(workers):
                share = self.built.instances[worker::workers]
                if not share:
                    continue
                for batch in self.built.data_loader({**overrides, "num_workers": None}, instances=share):
                    instances, tokens, positions = self._count(batch)
                    totals["batches"] += 1
                    totals["instances"] += instances
                    totals["tokens"] += tokens
                    totals["positions"] += positions
            self._live_profiles[key] = totals
        return self._live_profiles[key]

    def _replay(self, batches: List[Any], collate: Dict[int, float], offset: int) -> Iterator[Any]:
        self._collate = collate
        start = offset % len(batches)
        yield from batches[start:]
        while True:
            yield from batches

    def _forever(self, filled: int) -> Iterator[Any]:
        """The live loader's epochs, one after another. The wait for each epoch's first batch (worker
        start, reading and batching their first chunk) is timed and spread over the ``filled``
        instances it made ready, instead of charged to the one step that waited; later chunks are
        read while training runs, and their steps time whatever waiting or contention there is."""
        while True:
            ready, wait = 0, None
            start = time.perf_counter()
            epoch = iter(self.loader)
            while True:
                try:
                    batch = next(epoch)
                except StopIteration:
                    break
                except BrokenPipeError:
                    # AllenNLP 2.10 ends an epoch by sending "stop" down a pipe to each of its workers,
                    # and one that has already exited has closed its end: every batch has come by then.
                    break
                if wait is None:
                    wait = time.perf_counter() - start
                    self.fill_per_instance = wait / max(1, filled)
                if ready < filled:  # counted here only while the fill's share is owed (steps() counts all)
                    instances = self._count(batch)[0]
                    self._fill_charges[id(batch)] = instances * self.fill_per_instance - (wait if ready == 0 else 0.0)
                    ready += instances
                yield batch
            if wait is None:
                raise RuntimeError("the data loader produced no batches from the sample")

    def _count(self, batch: Dict[str, Any]):
        instances, fields = batch_counts(batch, self.text_field)
        return instances, sum(t for t, _ in fields.values()), sum(p for _, p in fields.values())

    def steps(self, n: int) -> Dict[str, List[float]]:
        torch = self.torch
        model, optimizer = self.built.model, self.optimizer
        out: Dict[str, List[float]] = {"seconds": [], "instances": [], "tokens": [], "positions": [], "loss": []}
        for _ in range(n):
            start = time.perf_counter()
            batch = next(self._batches)  # loading counts: workers and compute share the cores
            optimizer.zero_grad()
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.bf16):
                output = model(**batch)
            loss = output["loss"]
            loss.backward()
            optimizer.step()
            elapsed = time.perf_counter() - start
            instances, tokens, positions = self._count(batch)
            # A replayed batch was collated before: its collation (and, streaming without workers, its
            # reading) counts as the main process would have spent them.
            if id(batch) in self._collate:
                elapsed += self._collate[id(batch)] + instances * self.read_per_instance
            elif self.loader is not None:  # live: this batch's share of the fill, not the wait it saw
                elapsed += self._fill_charges.pop(id(batch), 0.0)
            out["seconds"].append(elapsed)
            out["instances"].append(instances)
            out["tokens"].append(tokens)
            out["positions"].append(positions)
            out["loss"].append(float(loss.detach()))
        return out

    def parity(self, setting: Setting, steps: int) -> Dict[str, Any]:
        """Losses over the same batches from the same weights and seed, fp32 then bf16."""
        import itertools

        torch = self.torch
        self.begin(setting, 0)
        batches = list(itertools.islice(self._batches, steps))
        self.end()
        losses: Dict[str, List[float]] = {}
        for name, bf16 in (("fp32", False), ("bf16", True)):
            self.built.model.load_state_dict(self.initial_state)
            self.optimizer = self.built.optimizer()
            torch.manual_seed(0)  # same dropout masks in both runs
            self.bf16 = bf16
            self._batches = iter(batches)
            losses[name] = self.steps(len(batches))["loss"]
        self._batches = None
        return losses

    def end(self) -> Dict[str, Any]:
        batches, self._batches = self._batches, None
        if batches is not None:
            try:
                batches.close()  # stops the loader's worker processes
            except BrokenPipeError:  # as in _forever: a worker had exited already
                pass
        self.loader = None
        self._collate = {}
        self._fill_charges = {}
        self.fill_per_instance = 0.0
        return {"peak_rss_bytes": _peak_rss_bytes()}
