"""Machines that were not available to record, built by hand in the same formats."""
from __future__ import annotations

import dataclasses

from probes import probe_machine
from probes.limits import probe_limits
from probes._fs import FsRoot

from .trees import basic, cpuinfo, topology

GIB = 1 << 30


def test_smt_two_threads_per_core_halves_physical_cores(make_tree):
    files = basic(8)
    files.update(topology([[0, 4], [1, 5], [2, 6], [3, 7]], {c: 0 for c in range(8)}))
    files["sys/devices/system/cpu/smt/active"] = "1"
    facts = probe_machine(make_tree(files))
    assert facts.topology.logical_usable == 8
    assert facts.topology.physical_cores == 4
    assert facts.topology.threads_per_core == 2
    assert facts.topology.smt_active is True
    assert (0, 4) in facts.topology.core_groups


def test_two_sockets_two_numa_nodes(make_tree):
    files = basic(8)
    files.update(topology([[c] for c in range(8)], {c: c // 4 for c in range(8)}))
    files["sys/devices/system/node/node0/cpulist"] = "0-3"
    files["sys/devices/system/node/node1/cpulist"] = "4-7"
    files["sys/devices/system/node/node0/meminfo"] = "Node 0 MemTotal:       8388608 kB\n"
    files["sys/devices/system/node/node1/meminfo"] = "Node 1 MemTotal:       8388608 kB\n"
    files["sys/devices/system/node/node0/distance"] = "10 21"
    files["sys/devices/system/node/node1/distance"] = "21 10"
    facts = probe_machine(make_tree(files))
    assert facts.topology.sockets == 2
    nodes = facts.topology.numa_nodes
    assert [n.id for n in nodes] == [0, 1]
    assert nodes[1].cpus == (4, 5, 6, 7)
    assert nodes[1].memory_bytes == 8 * GIB
    assert nodes[0].distances == (10, 21)


def test_sockets_from_cpuinfo_when_sysfs_topology_missing(make_tree):
    files = {"proc/cpuinfo": cpuinfo(4, cores=[0, 0, 1, 1], packages=[0, 0, 0, 0]),
             "sys/devices/system/cpu/online": "0-3",
             "proc/self/status": "Cpus_allowed_list:\t0-3\n"}
    facts = probe_machine(make_tree(files))
    assert facts.topology.physical_cores == 2
    assert facts.topology.threads_per_core == 2


def test_cgroup_v2_quota_and_memory_max(make_tree):
    files = basic(8)
    files.update({
        "proc/self/cgroup": "0::/\n",
        "sys/fs/cgroup/cgroup.controllers": "cpuset cpu memory",
        "sys/fs/cgroup/cpu.max": "200000 100000",
        "sys/fs/cgroup/memory.max": str(4 * GIB),
    })
    facts = probe_machine(make_tree(files))
    assert facts.limits.cgroup_version == 2
    assert facts.limits.cpu_quota == 2.0
    assert facts.limits.usable_cpus == 2  # 8 online, quota of 2
    assert facts.limits.memory_limit_bytes == 4 * GIB
    assert facts.limits.usable_memory_bytes == 4 * GIB  # below MemTotal of 16 GiB
    assert facts.limits.cpu_quota_source == "/sys/fs/cgroup/cpu.max"


def test_nested_cgroup_reads_its_own_files_and_its_parents(make_tree):
    files = basic(8)
    files.update({
        "proc/self/cgroup": "0::/kubepods/pod1/ctr\n",
        "sys/fs/cgroup/cgroup.controllers": "cpuset cpu memory",
        "sys/fs/cgroup/cpu.max": "max 100000",
        "sys/fs/cgroup/kubepods/cpu.max": "600000 100000",
        "sys/fs/cgroup/kubepods/pod1/memory.max": str(6 * GIB),
        "sys/fs/cgroup/kubepods/pod1/ctr/cpu.max": "150000 100000",
        "sys/fs/cgroup/kubepods/pod1/ctr/memory.max": "max",
        "sys/fs/cgroup/kubepods/pod1/ctr/cpuset.cpus.effective": "2-5",
    })
    limits = probe_limits(FsRoot(make_tree(files), live=False))
    assert limits.cgroup_path == "/kubepods/pod1/ctr"
    assert limits.cpu_quota == 1.5
    assert limits.cpu_quota_source == "/sys/fs/cgroup/kubepods/pod1/ctr/cpu.max"
    assert limits.memory_limit_bytes == 6 * GIB  # the parent's limit binds the child
    assert limits.cpuset_cpus == (2, 3, 4, 5)
    assert limits.allowed_cpus == (2, 3, 4, 5)
    assert limits.usable_cpus == 1  # floor(1.5)


def test_cgroup_v1_quota_and_memory_limit(make_tree):
    files = basic(4)
    files.update({
        "proc/self/cgroup": "4:memory:/docker/abc\n2:cpu,cpuacct:/docker/abc\n1:cpuset:/docker/abc\n",
        "sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_quota_us": "300000",
        "sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_period_us": "100000",
        "sys/fs/cgroup/memory/docker/abc/memory.limit_in_bytes": str(2 * GIB),
        "sys/fs/cgroup/cpuset/docker/abc/cpuset.cpus": "0-1",
    })
    limits = probe_limits(FsRoot(make_tree(files), live=False))
    assert limits.cgroup_version == 1
    assert limits.cpu_quota == 3.0
    assert limits.memory_limit_bytes == 2 * GIB
    assert limits.usable_cpus == 2  # cpuset 0-1 is tighter than the quota of 3


def test_hybrid_cores_from_sysfs(make_tree):
    files = basic(6)
    files["sys/devices/cpu_core/cpus"] = "0-1"
    files["sys/devices/cpu_atom/cpus"] = "2-5"
    facts = probe_machine(make_tree(files))
    assert facts.topology.hybrid.performance_cpus == (0, 1)
    assert facts.topology.hybrid.efficiency_cpus == (2, 3, 4, 5)


def test_arm_cpuinfo_reports_bf16_as_native(make_tree):
    files = basic(2)
    files["proc/cpuinfo"] = ("processor\t: 0\nFeatures\t: fp asimd sve bf16 i8mm\nCPU implementer\t: 0x41\n"
                             "CPU architecture: 8\nCPU part\t: 0xd40\nCPU revision\t: 1\n")
    facts = probe_machine(make_tree(files))
    assert facts.cpu.architecture == "aarch64" and facts.cpu.vendor == "ARM"
    assert facts.isa.native_bf16 and facts.isa.has("sve")
    assert not facts.isa.avx512


def test_missing_files_give_none_with_reasons_not_crashes(make_tree):
    facts = probe_machine(make_tree({"README": "nothing recorded here"}))
    assert facts.cpu.model_name is None and "model_name" in facts.cpu.unknown
    assert facts.topology.physical_cores is None and facts.topology.unknown["physical_cores"]
    assert facts.caches.levels == () and "levels" in facts.caches.unknown
    assert facts.memory.total_bytes is None and "total_bytes" in facts.memory.unknown
    assert facts.limits.usable_cpus == 1 and "cgroup_version" in facts.limits.unknown
    assert facts.torch.version is None and "version" in facts.torch.unknown
    assert not facts.isa.native_bf16


def test_every_section_keeps_reasons_as_text(recorded_root, make_tree):
    for root in (recorded_root("epyc-2vcpu-kvm"), make_tree({})):
        facts = probe_machine(root)
        for section in dataclasses.fields(facts):
            value = getattr(facts, section.name)
            if dataclasses.is_dataclass(value) and hasattr(value, "unknown"):
                assert all(isinstance(k, str) and isinstance(v, str) and v for k, v in value.unknown.items())
