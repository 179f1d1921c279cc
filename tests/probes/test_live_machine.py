"""The probes on the machine running the tests (whatever it is)."""
from __future__ import annotations

import os
import platform
import struct

import pytest

from probes import probe_machine
from probes._cpuid import cpuid
from probes.roofline import measure_roofline

linux_x86 = pytest.mark.skipif(
    platform.system() != "Linux" or platform.machine() != "x86_64", reason="needs x86-64 Linux")


def test_live_probe_agrees_with_the_os():
    facts = probe_machine("/")
    assert facts.live
    affinity = os.sched_getaffinity(0)
    assert set(facts.limits.affinity_cpus) == affinity
    assert 1 <= facts.limits.usable_cpus <= len(affinity)
    assert facts.topology.logical_usable == len(set(facts.topology.usable_cpus))
    assert facts.torch.source in ("live", "cached")  # cached: this environment's live facts (.torch_cache)
    import torch

    assert facts.torch.version == torch.__version__


@linux_x86
def test_cpuid_vendor_matches_proc_cpuinfo():
    leaf0 = cpuid(0)
    assert leaf0 is not None
    vendor = struct.pack("<III", leaf0[1], leaf0[3], leaf0[2]).decode()
    assert vendor == probe_machine("/").cpu.vendor


@linux_x86
def test_cpuid_avx2_bit_matches_proc_cpuinfo():
    avx2 = bool(cpuid(7, 0)[1] >> 5 & 1)  # CPUID.(7,0):EBX[5]
    assert avx2 == probe_machine("/").isa.has("avx2")


def test_roofline_measures_positive_rates_and_skips_emulated_bf16():
    roof = measure_roofline(1, native_bf16=False, size=128, min_time=0.01)
    assert roof.gemm_fp32_gflops_1_thread > 0 and roof.copy_bandwidth_gbs > 0
    assert roof.gemm_bf16_gflops_all is None
    assert "native bf16" in roof.unknown["gemm_bf16_gflops_all"]
