"""Parent side of the worker processes: start, talk, watch time and memory, kill.

A worker that hangs past the time limit or grows past the memory limit is
killed, and the trial it was running is recorded as failed with that reason;
the next trial gets a fresh worker.
"""
from __future__ import annotations

import json
import math
import os
import select
import statistics
import subprocess
import sys
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

import psutil

from ..errors import AdvisorError
from .interrupts import check

__all__ = ["WorkerJob", "Worker", "WorkerPool", "TrialFailure"]

_POLL_S = 0.1


class TrialFailure(Exception):
    """The trial could not be measured; ``reason`` says why in one line."""

    def __init__(self, reason: str, *, worker_lost: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.worker_lost = worker_lost


@dataclass(frozen=True)
class WorkerJob:
    """What every worker builds: the experiment and the sample caps."""

    config: str
    ext_vars: Dict[str, str]
    overrides: Optional[str]
    include_packages: Tuple[str, ...]
    sample_instances: int
    sample_seconds: float
    cwd: str = field(default_factory=os.getcwd)

    @classmethod
    def of(cls, experiment: Any, sample_instances: int, sample_seconds: float,
           overrides: Optional[str] = None) -> "WorkerJob":
        """The job for an ``advisor.config.Experiment``, with its own overrides unless others are given."""
        return cls(str(experiment.path), experiment.ext_vars,
                   experiment.overrides if overrides is None else overrides, experiment.include_packages,
                   sample_instances, sample_seconds)


_RELIST_S = 2.0  # how often the watched worker's descendants are listed again


class _TreeMemory:
    """Resident memory of a worker and its descendants (a streaming loader's worker processes).

    Listing descendants makes psutil scan every process on the machine: 2.4 ms of CPU per listing
    with 71 processes on the 2-vCPU benchmark VM, where the parent polls every 0.1 s while the
    worker's threads use both CPUs. So the list is refreshed every 2 s and each poll reads only the
    listed processes' memory (0.03 ms each); a loader worker started since the last listing counts
    from the next one.
    """

    def __init__(self, proc: psutil.Process) -> None:
        self.proc = proc
        self.children: List[psutil.Process] = []
        self.listed = -math.inf

    def rss(self) -> int:
        now = time.perf_counter()
        if now - self.listed >= _RELIST_S:
            try:
                self.children = self.proc.children(recursive=True)
            except psutil.Error:
                self.children = []
            self.listed = now
        total = 0
        for proc in (self.proc, *self.children):
            try:
                total += proc.memory_info().rss
            except psutil.Error:  # ended since it was listed
                pass
        return total


class Worker:
    def __init__(self, number: int, job: WorkerJob, process_env: Mapping[str, str], inter_op: Any,
                 log_dir: Path, memory_limit: Optional[int], start_timeout: float, want_facts: bool,
                 log_prefix: str = "") -> None:
        self.number = number
        self.memory_limit = memory_limit
        self.log_path = log_dir / f"{log_prefix}worker-{number}.log"
        env = dict(os.environ)
        env.update(process_env)
        env.setdefault("TQDM_DISABLE", "1")
        env["PYTHONUNBUFFERED"] = "1"
        for library in filter(None, process_env.get("LD_PRELOAD", "").split(":")):
            if not os.path.isfile(library):  # ld.so would only warn and run with the system allocator
                raise TrialFailure(f"cannot start a worker: LD_PRELOAD library {library} does not exist "
                                   "(removed or moved since the probe?)")
        self._log = open(self.log_path, "w")
        started = time.perf_counter()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "advisor.trials.worker"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=self._log, env=env, cwd=job.cwd, text=True, bufsize=1)
        self.ps = psutil.Process(self.proc.pid)
        self._memory = _TreeMemory(self.ps)
        self._launched = started
        self._start_timeout = start_timeout
        self._preload = process_env.get("LD_PRELOAD")
        self.ready: Dict[str, Any] = {}
        self.start_seconds = 0.0
        payload = {**job.__dict__, "inter_op_threads": inter_op, "want_facts": want_facts}
        try:  # the worker builds the experiment while the parent goes on (wait_ready collects it)
            self._send(payload)
        except BaseException:
            self.kill()
            self._log.close()
            raise

    def wait_ready(self) -> "Worker":
        """Wait until the worker has built the experiment; raise TrialFailure or AdvisorError if it could not."""
        try:
            self.ready = self._receive(self._start_timeout, "start")
        except BaseException:  # failed or interrupted while starting: no pool holds it yet, so end it here
            self.kill()
            self._log.close()
            raise
        self.start_seconds = time.perf_counter() - self._launched
        preload_error = self._preload_error() if self._preload else None
        if preload_error:
            self.kill()
            self._log.close()
            raise TrialFailure(f"cannot start a worker with LD_PRELOAD={self._preload}: {preload_error}")
        if self.ready.get("op") == "error":
            message = self.ready["message"]
            self.close()
            if self.ready.get("user_error"):
                raise AdvisorError(message)
            raise AdvisorError(f"the trial worker could not build the experiment: {message} "
                               f"(log: {self.log_path})")
        self.peak_rss = 0
        return self

    def _preload_error(self) -> Optional[str]:
        """ld.so's complaint about a library it could not preload, if any (it then runs without it)."""
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return None
        line = next((ln for ln in text.splitlines() if "cannot be preloaded" in ln), None)
        return line.strip() if line else None

    def _exchange(self, message: Dict[str, Any], timeout: float, what: str) -> Dict[str, Any]:
        self._send(message)
        return self._receive(timeout, what)

    def _send(self, message: Dict[str, Any]) -> None:
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write(json.dumps(message) + "\n")
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            raise TrialFailure(self._death(), worker_lost=True) from None

    def _receive(self, timeout: float, what: str) -> Dict[str, Any]:
        assert self.proc.stdout is not None
        deadline = time.perf_counter() + timeout
        while True:
            check()  # a pending Ctrl-C or SIGTERM is taken here, while the study only waits (.interrupts)
            ready, _, _ = select.select([self.proc.stdout], [], [], _POLL_S)
            if ready:
                line = self.proc.stdout.readline()
                if not line:
                    raise TrialFailure(self._death(), worker_lost=True)
                return json.loads(line)
            if self.memory_limit is not None:
                rss = self._memory.rss()
                if rss > self.memory_limit:
                    self.kill()
                    raise TrialFailure(
                        f"exceeded the memory limit: {rss / 2**30:.2f} GiB resident > "
                        f"{self.memory_limit / 2**30:.2f} GiB during {what}", worker_lost=True)
            if self.proc.poll() is not None:
                raise TrialFailure(self._death(), worker_lost=True)
            if time.perf_counter() > deadline:
                self.kill()
                raise TrialFailure(f"timed out: no answer within {timeout:.0f} s during {what} (hung or too slow)",
                                   worker_lost=True)

    def _death(self) -> str:
        code = self.proc.wait(timeout=5)
        if code is not None and code < 0:
            return f"worker killed by signal {-code} (crash or out of memory; log: {self.log_path})"
        return f"worker exited with code {code} (log: {self.log_path})"

    def request(self, message: Dict[str, Any], timeout: float) -> Dict[str, Any]:
        reply = self._exchange(message, timeout, message.get("op", "request"))
        if not reply.get("ok", True):
            raise TrialFailure(f"raised {reply.get('message')}")
        return reply

    def alive(self) -> bool:
        return self.proc.poll() is None

    def rss(self) -> int:
        """Resident memory of the worker and its loader processes now."""
        return self._memory.rss()

    def kill(self) -> None:
        for p in [*self._children(), self.ps]:
            try:
                p.kill()
            except psutil.Error:
                pass
        self.proc.wait(timeout=10)

    def _children(self):
        try:
            return self.ps.children(recursive=True)
        except psutil.Error:
            return []

    def close(self) -> None:
        if self.alive():
            try:
                self.proc.stdin.write(json.dumps({"op": "quit"}) + "\n")  # type: ignore[union-attr]
                self.proc.stdin.flush()  # type: ignore[union-attr]
                self.proc.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                self.kill()
        self._log.close()


# What one worker holds before its first trial, where none has been measured yet: it has imported torch and
# AllenNLP and built the model. 0.42-0.52 GB on all six examples (2-vCPU benchmark VM, 2026-11-28); a larger
# model's workers are measured once the first is up.
WORKER_FLOOR_BYTES = 512 << 20


class WorkerPool:
    """Workers keyed by a setting's process-level part; at most ``max_alive`` kept alive, and, where
    ``memory_total`` is given, no more than fit in it together.

    Each worker holds the model, the sample and (after a trial) the optimizer's state: 0.45-0.9 GB for
    the examples, several GB for a large pretrained model. Up to five are kept so that the search
    does not restart them; on a small machine that many would not fit beside each other, so the
    least recently used one is closed before another starts where the room left (by the largest
    worker's resident memory now) is less than one more of it.
    """

    def __init__(self, job: WorkerJob, log_dir: Path, *, memory_limit: Optional[int], allocator_paths: Mapping[str, str],
                 max_alive: int = 2, start_timeout: float = 600.0, log_prefix: str = "",
                 memory_total: Optional[int] = None) -> None:
        self.job = job
        self.memory_total = memory_total
        self.closed_for_memory = 0  # workers closed only to make room for another
        self.log_prefix = log_prefix
        self.log_dir = log_dir
        self.memory_limit = memory_limit
        self.allocator_paths = dict(allocator_paths)
        self.max_alive = max_alive
        self.start_timeout = start_timeout
        self.workers: "OrderedDict[Tuple[Any, ...], Worker]" = OrderedDict()
        self.started = 0
        self.start_seconds = 0.0  # wall time spent waiting for starts
        self.start_times: List[float] = []  # each kept worker's own start time
        self.model_facts: Optional[Dict[str, Any]] = None

    def get(self, setting) -> Worker:
        key = setting.process_key()
        worker = self.workers.get(key)
        if worker is not None and worker.alive():
            self.workers.move_to_end(key)
            return worker
        if worker is not None:
            self.workers.pop(key).close()
        while self.workers and (len(self.workers) >= self.max_alive
                                or (self.memory_total is not None and self._more_that_fit() < 1)):
            if len(self.workers) < self.max_alive:
                self.closed_for_memory += 1
            _, oldest = self.workers.popitem(last=False)
            oldest.close()
        worker = self._launch(setting).wait_ready()
        self.start_seconds += worker.start_seconds
        self._keep(key, worker)
        return worker

    def prestart(self, settings: Sequence[Any]) -> int:
        """Start the workers of these settings' process-level parts all at once, before anything is
        measured; returns how many started.

        A start is mostly single-threaded (imports, reading the sample, building the model): on the
        2-vCPU benchmark machine three starts side by side took 6.8-7.2 s, one after another
        11.6-12.6 s (benchmarks/starts.py), and no start later falls between two measured trials.
        Only the keys that fit beside the live workers start. A start that fails for its setting (an
        ``LD_PRELOAD`` library) is left to ``get``, which raises it when that setting is measured; an
        experiment the workers cannot build fails every one of them alike, so that is raised here.
        """
        keys = OrderedDict((s.process_key(), s) for s in settings)
        wanted = [s for key, s in keys.items() if key not in self.workers][: self._startable()]
        began = time.perf_counter()
        launched = []
        kept = 0
        try:
            for setting in wanted:
                facts = self.model_facts is None and not launched  # one of them measures the model's facts
                try:
                    launched.append((setting, self._launch(setting, want_facts=facts)))
                except TrialFailure:
                    continue
            for setting, worker in launched:
                try:
                    worker.wait_ready()
                except TrialFailure:
                    continue
                self._keep(setting.process_key(), worker)
                kept += 1
        except BaseException:
            for _, worker in launched:
                if worker not in self.workers.values():  # interrupted or unbuildable: no pool holds it
                    worker.kill()
                    worker._log.close()
            raise
        self.start_seconds += time.perf_counter() - began  # the wall time spent, not the sum of the starts
        return kept

    def _sizes(self) -> List[int]:
        return [w.rss() for w in self.workers.values()]

    def _more_that_fit(self) -> int:
        """How many more workers, each as large as the largest kept one now (before any: the floor),
        fit beside the kept ones in ``memory_total``."""
        assert self.memory_total is not None
        sizes = self._sizes()
        return int((self.memory_total - sum(sizes)) // max(max(sizes, default=WORKER_FLOOR_BYTES), 1))

    def capacity(self) -> int:
        """How many workers as large as the largest now fit in ``memory_total`` together (at least
        one; ``max_alive`` where there is no total)."""
        if self.memory_total is None:
            return self.max_alive
        return max(1, len(self.workers) + self._more_that_fit())

    def _startable(self) -> int:
        """How many workers may start now beside the kept ones (at least one, where none is kept)."""
        slots = self.max_alive - len(self.workers)
        if self.memory_total is None:
            return slots
        return min(slots, max(self._more_that_fit(), 0 if self.workers else 1))

    def start_cost(self) -> float:
        """Seconds one worker start takes, for planning (a start beside others counts its own, longer, wall time)."""
        return statistics.median(self.start_times) if self.start_times else 0.0

    def _launch(self, setting, want_facts: Optional[bool] = None) -> Worker:
        self.started += 1
        return Worker(self.started, self.job, setting.process_env(self.allocator_paths), setting.inter_op_threads,
                      self.log_dir, self.memory_limit, self.start_timeout,
                      want_facts=self.model_facts is None if want_facts is None else want_facts,
                      log_prefix=self.log_prefix)

    def _keep(self, key: Tuple[Any, ...], worker: Worker) -> None:
        self.start_times.append(worker.start_seconds)
        if self.model_facts is None:
            self.model_facts = worker.ready.get("facts")
        self.workers[key] = worker

    def keep_only(self, settings: Sequence[Any]) -> None:
        """Close the workers no one of these settings uses (their memory back before the rounds)."""
        wanted = {s.process_key() for s in settings}
        for key in [k for k in self.workers if k not in wanted]:
            self.workers.pop(key).close()

    def discard(self, setting) -> None:
        worker = self.workers.pop(setting.process_key(), None)
        if worker is not None:
            worker.close()

    def close(self) -> None:
        while self.workers:
            self.workers.popitem()[1].close()

    def kill_all(self) -> None:
        """Stop every worker now (interrupted run): no goodbye, no waiting for a step to finish."""
        while self.workers:
            worker = self.workers.popitem()[1]
            worker.kill()
            worker._log.close()
