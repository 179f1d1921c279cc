"""The probes against machines recorded in tests/data/machines (copies of ../shared/machines).

Expected values come from each tree's own _meta/ (lscpu, python.json), an
independent view of the same machine.
"""
from __future__ import annotations

import json
import re

import pytest

from probes import probe_machine, to_jsonable


def _lscpu(root, field):
    data = json.loads((root / "_meta" / "lscpu.json").read_text())
    return next(e["data"] for e in data["lscpu"] if e["field"] == field)


def test_epyc_is_avx2_without_avx512_amx_or_native_bf16(recorded_root):
    facts = probe_machine(recorded_root("epyc-2vcpu-kvm"))
    assert facts.cpu.vendor == "AuthenticAMD"
    assert (facts.cpu.family, facts.cpu.model) == (25, 1)
    assert facts.isa.has("avx2") and facts.isa.has("fma")
    assert not facts.isa.avx512 and not facts.isa.amx and not facts.isa.native_bf16
    assert facts.isa.best_vector_isa == "AVX2"
    assert facts.limits.usable_cpus == 2
    assert facts.limits.cgroup_version == 1
    assert facts.limits.cpu_quota is None  # cfs_quota_us is -1
    assert facts.limits.memory_limit_bytes is None  # LONG_MAX means unlimited
    assert facts.torch.version == "1.12.1+cu102"
    assert facts.torch.parallel_backend == "OpenMP"
    assert facts.torch.onednn_version == "2.6.0"
    assert facts.torch.cpu_capability == "AVX2"


def test_xeon_has_avx512_bf16_amx_and_16_usable_cores(recorded_root):
    facts = probe_machine(recorded_root("xeon-amx-16c-kvm"))
    assert facts.cpu.vendor == "GenuineIntel" and facts.cpu.model == 207
    for flag in ("avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512_vnni", "avx512_bf16",
                 "avx512_fp16", "amx_tile", "amx_bf16", "amx_int8"):
        assert facts.isa.has(flag), flag
    assert facts.isa.avx512 and facts.isa.amx and facts.isa.native_bf16
    assert facts.isa.best_vector_isa == "AMX"
    assert facts.limits.cgroup_version == 2
    assert facts.limits.usable_cpus == 16
    assert facts.topology.physical_cores == 16
    assert facts.topology.threads_per_core == 1
    assert facts.topology.smt_active is False
    assert facts.torch.version.startswith("2.11")


def test_taskset_capture_has_4_usable_of_16_online(recorded_root):
    root = recorded_root("xeon-amx-16c-taskset4")
    facts = probe_machine(root)
    meta = json.loads((root / "_meta" / "python.json").read_text())
    assert facts.topology.logical_online == 16
    assert facts.limits.affinity_cpus == tuple(meta["affinity"]) == (0, 1, 2, 3)
    assert facts.limits.usable_cpus == 4
    assert facts.topology.usable_cpus == (0, 1, 2, 3)
    assert facts.topology.physical_cores == 4
    assert facts.topology.numa_nodes[0].usable_cpus == (0, 1, 2, 3)
    # Same CPU, different usable cores: the advice must not carry over silently.
    assert facts.fingerprint.value != probe_machine(recorded_root("xeon-amx-16c-kvm")).fingerprint.value


@pytest.mark.parametrize("name", ["epyc-2vcpu-kvm", "xeon-amx-16c-kvm"])
def test_caches_and_counts_match_lscpu(recorded_root, name):
    root = recorded_root(name)
    facts = probe_machine(root)
    units = {"KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30}
    for level in ("L1d", "L1i", "L2", "L3"):
        m = re.match(r"([\d.]+) (\w+) \((\d+) instances?\)", _lscpu(root, f"{level} cache:"))
        lv = facts.caches.get(level)
        assert lv is not None, level
        assert lv.total_bytes == int(float(m.group(1)) * units[m.group(2)]), level
        assert lv.instances == int(m.group(3)), level
    assert facts.topology.sockets == int(_lscpu(root, "Socket(s):"))
    assert facts.topology.threads_per_core == int(_lscpu(root, "Thread(s) per core:"))
    assert len(facts.topology.numa_nodes) == int(_lscpu(root, "NUMA node(s):"))


def test_recorded_sheet_serialises_with_schema_version(recorded_root):
    data = to_jsonable(probe_machine(recorded_root("xeon-amx-16c-kvm")))
    text = json.dumps(data)
    assert json.loads(text)["schema_version"] == "1"
    assert data["isa"]["features"]["amx_bf16"] is True
    assert data["fingerprint"]["value"] and len(data["fingerprint"]["value"]) == 12
