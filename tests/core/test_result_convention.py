"""One result convention (issue 19), checked on every public result type of the package.

The types are discovered by walking ``evalexp`` (every dataclass deriving from
:class:`evalexp.results.Result`), so a new type is covered as soon as it exists; the examples
come from one analysis of the demo cohort (with the site heterogeneity block) and the few
commands that return results outside ``analyze`` (power, randomisation, stored results). A new
type without an example fails :func:`test_every_result_type_has_an_example`: add one there.
"""
from __future__ import annotations

import copy
import dataclasses
import importlib
import inspect
import json
import pkgutil
from html import escape
from pathlib import Path

import pandas as pd
import pytest
from matplotlib.figure import Figure

import evalexp
from evalexp.analysis import analyze
from evalexp.engine.run import analyze_out_of_core
from evalexp.integrity.power import power_calculation
from evalexp.integrity.randomize import randomize, verify_assignment
from evalexp.load import load_cohort
from evalexp.plan import load_plan
from evalexp.results import TIDY_COLUMNS, Result
from evalexp.stored import read_results

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "data" / "synthetic"


def _result_types() -> list[type[Result]]:
    found: dict[str, type[Result]] = {}
    for info in pkgutil.walk_packages(evalexp.__path__, "evalexp."):
        if info.name.endswith("__main__"):  # running it is the CLI
            continue
        module = importlib.import_module(info.name)
        for obj in vars(module).values():
            if (inspect.isclass(obj) and issubclass(obj, Result) and obj.__module__ == module.__name__
                    and dataclasses.is_dataclass(obj)):
                found[f"{obj.__module__}.{obj.__qualname__}"] = obj
    return [found[name] for name in sorted(found)]


RESULT_TYPES = _result_types()


def _collect(value: object, into: dict[type, Result], depth: int = 0) -> None:
    """Every result object reachable from ``value`` (fields, mappings, sequences), one per type."""
    if depth > 8:
        return
    if isinstance(value, Result):
        into.setdefault(type(value), value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            _collect(getattr(value, f.name), into, depth + 1)
    elif isinstance(value, dict):
        for item in value.values():
            _collect(item, into, depth + 1)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _collect(item, into, depth + 1)


@pytest.fixture(scope="module")
def examples(tmp_path_factory) -> dict[type, Result]:
    plan = load_plan(DEMO / "agir_demo.toml")
    plan = dataclasses.replace(plan, inference=dataclasses.replace(plan.inference, permutations=99),
                               heterogeneity=dataclasses.replace(plan.heterogeneity, by="site"))
    cohort = load_cohort(DEMO / "agir_demo.csv", plan)
    analysis = analyze(cohort, plan)
    found: dict[type, Result] = {}
    _collect(analysis, found)
    _collect(power_calculation(hazard_ratio=0.7, n=300), found)
    roster = pd.DataFrame({"participant_id": [f"P{i:03d}" for i in range(40)],
                           "stratum": ["A", "B"] * 20})
    assignment = randomize(roster, strata="stratum", seed=3)
    _collect(assignment, found)
    _collect(verify_assignment(roster, assignment, assignment.audit), found)
    path = tmp_path_factory.mktemp("stored") / "results.json"
    path.write_text(json.dumps(analysis.to_dict()), encoding="utf-8")
    _collect(read_results(path), found)
    _collect(analyze_out_of_core(DEMO / "agir_demo.csv", plan, "duckdb"), found)  # the engine's results on counts
    return found


def test_the_walk_finds_the_result_types():
    names = {cls.__name__ for cls in RESULT_TYPES}
    assert {"Analysis", "CoxResult", "FineGrayResult", "KaplanMeier", "BinaryOutcomes"} <= names
    assert len(RESULT_TYPES) >= 30


def test_every_result_type_has_an_example(examples):
    missing = sorted(cls.__name__ for cls in RESULT_TYPES if cls not in examples)
    assert missing == [], f"no example of {missing}: add one to the `examples` fixture"


@pytest.mark.parametrize("cls", RESULT_TYPES, ids=lambda c: c.__name__)
def test_the_title_is_one_class_constant(cls):
    assert "title" not in {f.name for f in dataclasses.fields(cls)}
    title = inspect.getattr_static(cls, "title")
    assert isinstance(title, str) and title and title != Result.title
    assert "title" in cls.__dict__  # each type names itself


@pytest.mark.parametrize("cls", RESULT_TYPES, ids=lambda c: c.__name__)
def test_equality_is_identity_and_never_raises(cls, examples):
    assert cls.__eq__ is object.__eq__ and cls.__dataclass_params__.frozen
    result = examples[cls]
    twin = copy.copy(result)
    assert result == result
    assert (result == twin) is False and result != twin
    assert {result: 1}[result] == 1  # hashable


@pytest.mark.parametrize("cls", RESULT_TYPES, ids=lambda c: c.__name__)
def test_tidy_has_the_stable_columns_together(cls, examples):
    frame = examples[cls].tidy()  # extra columns around them are allowed (Analysis: `part`; Cox: `hr`)
    start = list(frame.columns).index("term")
    assert list(frame.columns[start:start + len(TIDY_COLUMNS)]) == TIDY_COLUMNS
    for column in TIDY_COLUMNS[1:]:
        assert frame[column].dtype == float, column


@pytest.mark.parametrize("cls", RESULT_TYPES, ids=lambda c: c.__name__)
def test_to_dict_is_plain_json(cls, examples):
    out = examples[cls].to_dict()
    assert isinstance(out, dict)
    assert json.loads(json.dumps(out, allow_nan=False)) == out


@pytest.mark.parametrize("cls", RESULT_TYPES, ids=lambda c: c.__name__)
def test_summary_and_html_open_with_the_heading(cls, examples):
    result = examples[cls]
    heading = result.heading()
    assert heading == cls.title or heading.startswith(f"{cls.title}: ")
    assert result.summary().startswith(f"{heading}\n{'=' * len(heading)}\n")
    html = result._repr_html_()
    assert html.startswith(f"<div><strong>{escape(heading)}</strong>") and html.endswith("</div>")


PLOTTED = [cls for cls in RESULT_TYPES if hasattr(cls, "plot")]


def test_the_figures_are_the_expected_ones():
    assert {cls.__name__ for cls in PLOTTED} == {"SurvivalAnalysis", "CompetingRisksAnalysis", "SubgroupEffects",
                                                 "BalanceTable", "HeterogeneityResult"}


@pytest.mark.parametrize("cls", PLOTTED, ids=lambda c: c.__name__)
def test_plot_draws_on_the_axes_given(cls, examples):
    parameters = list(inspect.signature(cls.plot).parameters.values())
    assert parameters[1].name == "ax" and parameters[1].default is None
    ax = Figure().add_subplot()
    assert examples[cls].plot(ax=ax) is ax
    assert ax.has_data()
