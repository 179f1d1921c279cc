"""Every rule's cases as data (tests/rules/cases/<CODE>.json): each fires on its failing
fact sets and stays quiet on its passing ones. One driver runs them all."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import pytest

from probes import probe_machine
from rules import all_rules

from .helpers import make_context

CASES_DIR = Path(__file__).parent / "cases"


def _cases():
    for path in sorted(CASES_DIR.glob("*.json")):
        data = json.loads(path.read_text())
        for outcome in ("fires", "quiet"):
            for i, case in enumerate(data.get(outcome, [])):
                yield pytest.param(path.stem, outcome, case, id=f"{path.stem}-{outcome}-{case.get('name', i)}")


@pytest.fixture(scope="session")
def machines(recorded_root):
    @lru_cache(maxsize=None)
    def get(name):
        return probe_machine(recorded_root(name))

    return get


@pytest.fixture(scope="session")
def model_facts(tiny_data):
    import os

    from advisor.config import load_experiment
    from advisor.inspect import inspect_experiment

    from ..conftest import REPO

    cwd = os.getcwd()
    os.chdir(REPO)
    try:
        return inspect_experiment(load_experiment("examples/bilstm_classifier/tiny.jsonnet"))
    finally:
        os.chdir(cwd)


@pytest.mark.parametrize("code,outcome,case", list(_cases()))
def test_rule_case(code, outcome, case, machines, model_facts):
    rule = all_rules()[code]()
    findings = list(rule.check(make_context(case, machines, model_facts)))
    if outcome == "quiet":
        assert findings == [], [f.message for f in findings]
        return
    assert findings, f"{code} did not fire on {case.get('name')}"
    finding = findings[0]
    assert finding.code == code
    for text in case.get("message_contains", []):
        assert text in finding.message, finding.message
    for text in case.get("message_lacks", []):
        assert text not in finding.message, finding.message
    for text in case.get("fix_contains", []):
        assert text in finding.fix, finding.fix
    for text in case.get("fix_lacks", []):
        assert text not in finding.fix, finding.fix
    for text in case.get("effect_contains", []):
        assert text in (finding.expected_effect or ""), finding.expected_effect
    for text in case.get("effect_lacks", []):
        assert text not in (finding.expected_effect or ""), finding.expected_effect
    for key, value in case.get("expect_config", {}).items():
        assert finding.change.config.get(key) == value, finding.change.config
    for key, value in case.get("expect_env", {}).items():
        assert finding.change.env.get(key) == value, finding.change.env
    if "expect_kind" in case:
        assert finding.kind.value == case["expect_kind"]
    if "expect_severity" in case:
        assert finding.severity.value == case["expect_severity"]


def test_every_rule_has_cases_that_fire_and_stay_quiet():
    for code in all_rules():
        path = CASES_DIR / f"{code}.json"
        assert path.exists(), f"no cases for {code}"
        data = json.loads(path.read_text())
        assert data.get("fires") and data.get("quiet"), f"{code} needs a firing and a quiet case"


def _scaled(study: dict, factor: float) -> dict:
    """A case's study with every measured rate multiplied by ``factor``."""
    out = dict(study, baseline_rate=study.get("baseline_rate", 100.0) * factor)
    for key in ("level",):
        if key in out:
            out[key] *= factor
    for key in ("best_rounds", "level_windows"):
        if key in out:
            out[key] = [v * factor for v in out[key]]
    return out


@pytest.mark.parametrize("factor", [1e-4, 1e4])
def test_every_rule_survives_every_case_at_extreme_rates(factor, machines, model_facts):
    # A tiny sample at thousands of instances/s rounds an epoch to 0.0 s; a huge model at a few
    # instances an hour makes hours of it. Every rule must word either, not raise (T001 divided by zero).
    rules = all_rules()
    for _, _, case in (p.values for p in _cases()):
        if "study" not in case:
            continue
        context = make_context(dict(case, study=_scaled(case["study"], factor)), machines, model_facts)
        for code, rule in rules.items():
            list(rule().check(context))
