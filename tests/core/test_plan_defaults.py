"""The plan's defaults are written once (the dataclasses of evalexp.plan, laid out by
evalexp.plan_defaults); the listings of the plan module and of the contract copy must agree."""
from __future__ import annotations

import datetime as dt
import re
import tomllib
from pathlib import Path

import pytest

import evalexp.plan
from evalexp.plan import plan_from_dict
from evalexp.plan_defaults import DERIVED, plan_defaults

ROOT = Path(__file__).resolve().parents[2]
TABLE = plan_defaults()


def _listed(text: str) -> dict[tuple[str, str], object]:
    """``(section, key) -> value`` of the ``key = value`` lines of a TOML listing (comments dropped,
    lines that are not TOML, such as ``randomization = ...``, skipped)."""
    found: dict[tuple[str, str], object] = {}
    section = ""
    for line in text.splitlines():
        line = line.strip()
        head = re.fullmatch(r"\[([a-z_]+)\].*", line)
        if head:
            section = head.group(1)
            continue
        try:
            parsed = tomllib.loads(line.split("  #")[0]) if re.match(r"[a-z_]+ = ", line) else {}
        except tomllib.TOMLDecodeError:
            continue
        found.update({(section, key): value for key, value in parsed.items()})
    return found


def _same(listed: object, default: object) -> bool:
    if default is None:  # an optional key: the listing shows "" (none) or an example value
        return True
    if isinstance(default, tuple):
        return list(default) == listed
    if isinstance(default, dt.date):
        return listed == default
    return listed == default and type(listed) is type(default)


def test_the_table_has_every_section_and_no_required_key():
    assert set(TABLE) == {"", "data", "survival", "outcomes", "inference", "integrity", "report", "heterogeneity"}
    assert "horizon_days" not in TABLE["survival"] and "title" not in TABLE[""]
    assert TABLE["inference"]["permutations"] == 10000 and TABLE["report"]["suppression_threshold"] == 11


def test_the_plan_module_lists_the_defaults_of_the_table():
    listed = _listed(evalexp.plan.__doc__ or "")
    for section, keys in TABLE.items():
        for key, default in keys.items():
            assert (section, key) in listed, f"[{section}] {key} is not listed in evalexp.plan's docstring"
            assert _same(listed[section, key], default), (section, key, listed[section, key], default)
    for _section, key in DERIVED:
        assert re.search(rf"^    {key} = ", evalexp.plan.__doc__ or "", re.M), key


def test_the_contract_copy_agrees_with_the_table():
    block = (ROOT / "docs" / "CONTRACT.md").read_text(encoding="utf-8").split("```toml", 1)[1].split("```")[0]
    listed = _listed(block)
    # the contract's block is an example plan: its lists of columns are examples, not defaults
    checked = [(s, k) for (s, k) in listed if TABLE.get(s, {}).get(k) not in (None, (), "")]
    assert len(checked) >= 4
    for section, key in checked:
        assert _same(listed[section, key], TABLE[section][key]), (section, key)


@pytest.mark.parametrize("section", [s for s in TABLE if s])
def test_a_plan_without_the_section_gets_the_table(section):
    plan = plan_from_dict({"title": "t", "survival": {"horizon_days": 365}})
    held = getattr(plan, section)
    for key, default in TABLE[section].items():
        assert getattr(held, key) == default, (section, key)
