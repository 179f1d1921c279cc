"""How busy the machine is, apart from us: load average, other processes' CPU, steal time.

A measurement taken while another process holds a core says little about a quiet machine:
OpenMP threads that wait for a core someone else holds spin and stall. The study samples
this before it starts and around every trial.

CPU time comes from ``/proc/stat`` over the CPUs we may use (so a neighbour pinned elsewhere
does not count), minus the CPU time of our own process tree (the advisor and its workers);
steal is time the hypervisor gave our vCPUs to someone else.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import psutil

from ._fs import FsRoot

__all__ = ["CpuTimes", "ProcessLoad", "LoadSample", "LoadReading", "LoadMeter", "read_cpu_times", "read_loadavg",
           "sample_load", "busy_threshold"]

_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


@dataclass(frozen=True)
class CpuTimes:
    """Seconds since boot summed over some CPUs (from /proc/stat)."""

    busy: float  # user + nice + system + irq + softirq
    idle: float  # idle + iowait
    steal: float


@dataclass(frozen=True)
class ProcessLoad:
    pid: int
    name: str
    cores: float  # CPU seconds per second over the sample


@dataclass(frozen=True)
class LoadSample:
    """The machine's state over a short window, before measuring."""

    seconds: float
    usable_cpus: int
    outside_cores: float  # cores busy with work that is not ours, on the CPUs we may use
    steal_fraction: Optional[float]  # of the usable CPUs' time; None where not reported
    loadavg: Optional[Tuple[float, float, float]]
    top: Tuple[ProcessLoad, ...]  # the other processes that used most CPU

    @property
    def busy(self) -> bool:
        return self.outside_cores >= busy_threshold(self.usable_cpus)


@dataclass(frozen=True)
class LoadReading:
    """Outside load during one trial's measured steps."""

    outside_cores: float
    steal_fraction: Optional[float]
    idle_cores: Optional[float] = None  # idle capacity left on the usable CPUs


def busy_threshold(usable_cpus: int) -> float:
    """Outside load that counts as meaningful: a third of a core, or 10% of the usable CPUs."""
    return max(0.33, 0.10 * usable_cpus)


def read_cpu_times(cpus: Optional[Iterable[int]] = None, root: "FsRoot | str" = "/") -> Optional[CpuTimes]:
    """Busy/idle/steal seconds since boot over ``cpus`` (all CPUs when None); None without /proc/stat."""
    fs = root if isinstance(root, FsRoot) else FsRoot(root)
    text = fs.read("proc/stat")
    if not text:
        return None
    wanted = None if cpus is None else {f"cpu{c}" for c in cpus}
    busy = idle = steal = 0.0
    found = False
    for line in text.splitlines():
        fields = line.split()
        if not fields or not fields[0].startswith("cpu") or fields[0] == "cpu":
            continue
        if wanted is not None and fields[0] not in wanted:
            continue
        values = [int(v) for v in fields[1:9]] + [0] * (8 - len(fields[1:9]))
        user, nice, system, idle_, iowait, irq, softirq, steal_ = values
        busy += user + nice + system + irq + softirq
        idle += idle_ + iowait
        steal += steal_
        found = True
    if not found:
        return None
    return CpuTimes(busy / _TICK, idle / _TICK, steal / _TICK)


def read_loadavg(root: "FsRoot | str" = "/") -> Optional[Tuple[float, float, float]]:
    fs = root if isinstance(root, FsRoot) else FsRoot(root)
    text = fs.read("proc/loadavg")
    try:
        one, five, fifteen = (float(v) for v in (text or "").split()[:3])
    except ValueError:
        return None
    return one, five, fifteen


def _tree_cpu(pid: int) -> Dict[int, float]:
    """CPU seconds of ``pid`` and its descendants, per process."""
    out: Dict[int, float] = {}
    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.Error:
        return out
    for proc in procs:
        try:
            t = proc.cpu_times()
            out[proc.pid] = t.user + t.system
        except psutil.Error:
            pass
    return out


class LoadMeter:
    """Outside load over a window: ``start()``, then ``stop()`` returns a :class:`LoadReading`."""

    def __init__(self, cpus: Sequence[int], own_pid: Optional[int] = None) -> None:
        self.cpus = tuple(cpus)
        self.own_pid = own_pid or os.getpid()
        self._start: Optional[Tuple[float, Optional[CpuTimes], Dict[int, float]]] = None

    def start(self) -> None:
        self._start = (time.perf_counter(), read_cpu_times(self.cpus), _tree_cpu(self.own_pid))

    def stop(self) -> Optional[LoadReading]:
        if self._start is None:
            return None
        t0, times0, own0 = self._start
        times1, own1, t1 = read_cpu_times(self.cpus), _tree_cpu(self.own_pid), time.perf_counter()
        self._start = None
        wall = t1 - t0
        if times0 is None or times1 is None or wall <= 0:
            return None
        own = sum(max(0.0, cpu - own0.get(pid, 0.0)) for pid, cpu in own1.items())
        busy = times1.busy - times0.busy
        total = busy + (times1.idle - times0.idle) + (times1.steal - times0.steal)
        steal = (times1.steal - times0.steal) / total if total > 0 else None
        # /proc/stat ticks are coarse (10 ms): small negative remainders are rounding, not load.
        idle = (times1.idle - times0.idle) / wall
        return LoadReading(round(max(0.0, busy - own) / wall, 3), None if steal is None else round(steal, 4),
                           round(idle, 3))


def _top_processes(seconds: float, exclude: Iterable[int], limit: int = 3) -> Tuple[List[ProcessLoad], float]:
    excluded = set(exclude)
    before: Dict[int, Tuple[psutil.Process, float]] = {}
    for proc in psutil.process_iter(["name"]):
        if proc.pid in excluded:
            continue
        try:
            t = proc.cpu_times()
            before[proc.pid] = (proc, t.user + t.system)
        except psutil.Error:
            pass
    time.sleep(seconds)
    loads = []
    for pid, (proc, cpu0) in before.items():
        try:
            t = proc.cpu_times()
            used = (t.user + t.system - cpu0) / seconds
        except psutil.Error:
            continue
        if used > 0.01:
            loads.append(ProcessLoad(pid, proc.info.get("name") or "?", round(used, 2)))
    loads.sort(key=lambda p: -p.cores)
    return loads[:limit], sum(p.cores for p in loads)


def sample_load(cpus: Sequence[int], seconds: float = 1.0, own_pid: Optional[int] = None) -> LoadSample:
    """Measure the outside load for ``seconds`` and name the processes behind it."""
    own = own_pid or os.getpid()
    meter = LoadMeter(cpus, own)
    meter.start()
    top, _ = _top_processes(seconds, exclude=_tree_cpu(own).keys())
    reading = meter.stop()
    outside = reading.outside_cores if reading else 0.0
    return LoadSample(seconds, len(cpus), outside, reading.steal_fraction if reading else None, read_loadavg(),
                      tuple(top))
