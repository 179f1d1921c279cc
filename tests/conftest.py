"""Shared fixtures: recorded machine trees and hand-made ones."""
from __future__ import annotations

import atexit
import importlib.util
import os
import shutil
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Callable, Dict

import pytest

os.environ.setdefault("TQDM_DISABLE", "1")  # AllenNLP's progress bars only clutter test logs
# The torch-build facts' cache (probes.torch_cache) in a directory of this run, not the user's.
if "CPU_ADVISOR_CACHE_DIR" not in os.environ:
    os.environ["CPU_ADVISOR_CACHE_DIR"] = tempfile.mkdtemp(prefix="cpu-advisor-cache-")
    atexit.register(shutil.rmtree, os.environ["CPU_ADVISOR_CACHE_DIR"], True)

REPO = Path(__file__).resolve().parent.parent
MACHINES_DIR = Path(__file__).parent / "data" / "machines"
EXAMPLES = REPO / "examples"
RECORDED = sorted(p.name[: -len(".tar.gz")] for p in MACHINES_DIR.glob("*.tar.gz"))


def fixed_load_plan(flags_every_trial: bool = False):
    """A load plan that judges every trial measured under other load, or none: a study's outcome fixed
    whatever the machine running the tests is doing (CI's load once flagged a stored baseline). For
    the tests that are not about the load; tests/advisor/test_load.py measures the real one."""
    from advisor.trials.load import LoadPlan  # here: conftest imports none of the project at collection
    from probes.load import LoadSample

    return LoadPlan(LoadSample(1.0, 2, 0.0, None, None, ()), 0.0, None, 0, "none",
                    -1.0 if flags_every_trial else float("inf"))


@pytest.fixture(scope="session")
def recorded_root(tmp_path_factory) -> Callable[[str], Path]:
    """Unpack ``tests/data/machines/NAME.tar.gz`` once; return its root."""
    base = tmp_path_factory.mktemp("machines")

    def unpack(name: str) -> Path:
        root = base / name
        if not root.exists():
            with tarfile.open(MACHINES_DIR / f"{name}.tar.gz") as tar:
                # "data" filter where Python has it (3.12+ warns without one).
                kwargs = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
                tar.extractall(base, **kwargs)
        return root

    return unpack


@pytest.fixture
def make_tree(tmp_path) -> Callable[[Dict[str, str]], Path]:
    """Write a hand-made machine tree: ``{relative path: file text}``."""

    def make(files: Dict[str, str]) -> Path:
        root = tmp_path / "tree"
        root.mkdir(exist_ok=True)
        for rel, text in files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        return root

    return make


def load_generator():
    """examples/generate.py as a module (examples/ is not an installed package)."""
    spec = importlib.util.spec_from_file_location("examples_generate", EXAMPLES / "generate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def tiny_data():
    """Generate every example's tiny data (idempotent); configs name paths from the repo root."""
    generator = load_generator()
    return {name: generator.generate(name, tiny=True) for name in generator.SPECS}


@pytest.fixture
def in_repo(monkeypatch):
    """Run from the repository root, as the example configs' relative data paths expect."""
    monkeypatch.chdir(REPO)
    return REPO
