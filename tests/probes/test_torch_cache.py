"""The torch-build facts' cache: a fresh process reuses them without importing torch, and any change
to what they depend on probes torch again."""
from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys

from probes import probe_machine, torch_cache
from probes.torch_build import _from_cache

# Prints the probe's source, whether torch got imported, and the facts (the source left out).
_PROBE = ("import json, sys, dataclasses; from probes import probe_machine; "
          "f = dataclasses.asdict(probe_machine().torch); source = f.pop('source'); "
          "print(json.dumps([source, 'torch' in sys.modules, f]))")


def _probe_in_fresh_process(cache, **env):
    full = {**os.environ, torch_cache.CACHE_ENV: str(cache), **env}
    out = subprocess.run([sys.executable, "-c", _PROBE], env=full, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_second_process_reads_the_cache_without_importing_torch(tmp_path):
    first = _probe_in_fresh_process(tmp_path)
    second = _probe_in_fresh_process(tmp_path)
    assert first[:2] == ["live", True]
    assert second[:2] == ["cached", False]
    assert second[2] == first[2]
    assert len(list(tmp_path.glob("torch-*.json"))) == 1


def test_a_thread_variable_changes_the_key_and_the_facts(tmp_path):
    default = _probe_in_fresh_process(tmp_path, OMP_NUM_THREADS="")
    one = _probe_in_fresh_process(tmp_path, OMP_NUM_THREADS="1")
    assert one[:2] == ["live", True]  # not the entry of the other environment
    assert one[2]["intra_op_threads"] == 1
    assert len(list(tmp_path.glob("torch-*.json"))) == 2
    again = _probe_in_fresh_process(tmp_path, OMP_NUM_THREADS="1")
    assert again[0] == "cached" and again[2]["intra_op_threads"] == 1 and default[0] == "live"


def test_a_broken_or_foreign_entry_is_not_used(tmp_path, monkeypatch):
    monkeypatch.setenv(torch_cache.CACHE_ENV, str(tmp_path))
    for text in ("{not json", json.dumps([1, 2])):
        (tmp_path / "torch-k.json").write_text(text)
        assert torch_cache.load("k") is None
    assert _from_cache({"version": "9.9", "source": "live"}) is None  # another version's fields
    assert _from_cache(dataclasses.asdict(probe_machine().torch)).source == "cached"
    # This environment's entry overwritten with fields missing: a fresh process probes again.
    for old in tmp_path.glob("torch-*.json"):
        old.unlink()
    first = _probe_in_fresh_process(tmp_path)
    (entry,) = tmp_path.glob("torch-*.json")
    entry.write_text(json.dumps({"version": "9.9"}))
    fresh = _probe_in_fresh_process(tmp_path)
    assert fresh[0] == "live" and fresh[2] == first[2]
    assert json.loads(entry.read_text())["version"] == fresh[2]["version"]  # and the entry is replaced


def test_off_turns_the_cache_off(tmp_path, monkeypatch):
    monkeypatch.setenv(torch_cache.CACHE_ENV, "off")
    assert torch_cache.cache_dir() is None
    torch_cache.store("k", {"a": 1})
    assert torch_cache.load("k") is None
    monkeypatch.setenv(torch_cache.CACHE_ENV, str(tmp_path / "nested" / "dir"))
    torch_cache.store("k", {"a": 1})
    assert torch_cache.load("k") == {"a": 1}
