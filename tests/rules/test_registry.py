"""The catalogue's contract: stable codes, one rule per code, every rule documented in full."""
import json

import pytest
from typer.testing import CliRunner

from advisor.cli import app
from rules import CODE_PATTERN, SECTIONS, FAMILIES, Kind, Severity, all_rules

RULES = all_rules()


def test_codes_follow_the_pattern_and_map_one_to_one():
    assert RULES, "no rules registered"
    assert all(CODE_PATTERN.match(code) for code in RULES)
    assert len({cls for cls in RULES.values()}) == len(RULES)
    assert all(cls.code == code for code, cls in RULES.items())


def test_each_family_contributes_rules():
    assert {cls.category for cls in RULES.values()} == set(FAMILIES)


@pytest.mark.parametrize("code", sorted(RULES))
def test_rule_documents_every_section(code):
    cls = RULES[code]
    sections = cls.doc_sections()
    missing = [s for s in SECTIONS if not sections.get(s)]
    assert not missing, f"{code} lacks {missing}"
    assert isinstance(cls.severity, Severity) and isinstance(cls.kind, Kind)
    assert cls.title and cls.title == cls.title.lower() and " " not in cls.title


def test_module_is_named_by_its_code():
    for code, cls in RULES.items():
        assert cls.__module__.endswith(f".{code}"), cls.__module__


def test_explain_prints_the_page_and_json_has_fixed_keys():
    runner = CliRunner(mix_stderr=False)
    result = runner.invoke(app, ["explain", "d003"])
    assert result.exit_code == 0
    for section in SECTIONS:
        assert section in result.stdout
    page = json.loads(runner.invoke(app, ["explain", "D003", "--json"]).stdout)
    assert set(page) == {"code", "category", "severity", "kind", "title", "summary", "what_it_does",
                         "why_it_matters", "example", "fix", "references"}
    bad = runner.invoke(app, ["explain", "X999"])
    assert bad.exit_code == 2 and "X999" in bad.stderr


def test_rules_lists_the_catalogue():
    result = CliRunner(mix_stderr=False).invoke(app, ["rules", "--json"])
    rows = json.loads(result.stdout)
    assert [r["code"] for r in rows] == sorted(RULES)
