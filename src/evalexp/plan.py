"""The pre-specified analysis plan (TOML), CONTRACT.md section 2.

:func:`load_plan` reads and checks a plan file and returns a frozen
:class:`Plan`. Unknown keys are refused (a typo in a pre-registered plan must
not silently change the analysis). Every optional key has the default written
beside it below; the contract's keys keep the contract's meaning.

Sections and defaults::

    title = "..."                    # required
    language = "fr"                  # fr | en

Every text a reader sees (``title``, ``[labels]``, ``[value_labels.*]``, the texts of
``[report]``) is a string, the same in every language, or a table per language,
``{ fr = "...", en = "..." }``: a report in a language takes that language's entry, else the
entry of the plan's ``language``, else the table's first entry (:func:`text_in`,
:meth:`Plan.in_language`).

    [columns]  "source name" = "canonical name"
    [arms]     treatment = ["label", ...], control = ["label", ...]

    [labels]                         # how the report names variables (default: the column name)
    employed_6m = "En emploi à 6 mois"
    [value_labels.female]            # how the report names a variable's values
    "0" = "Homme"
    "1" = "Femme"

    [data]
    date_format = "auto"             # auto | "%d/%m/%Y" | "%Y-%m-%d" | any strptime format
    sheet = 0                        # Excel sheet (name or index)

    [survival]
    horizon_days = 365               # required
    landmarks_days = [90, 180, 365]
    covariates = []                  # adjusted Cox model
    strata = ""                      # randomisation blocks ("" = none)
    cluster = ""                     # cluster-robust SE ("" = none)
    causes = ""                      # competing risks by cause ("" = none)
    ties = "efron"                   # efron | breslow
    randomization = ...              # permuted_blocks | simple; default permuted_blocks when strata, else simple
    primary = ...                    # cox_adjusted | cox_unadjusted | covariate_adjusted | logrank |
                                     # risk_difference | rmst; default cox_adjusted when covariates, else cox_unadjusted
    firth = false                    # add Firth's penalised-likelihood estimate to each Cox model

    [outcomes]
    binary = []                      # 0/1 follow-up outcomes
    adjust = []                      # Lin (2013) covariates; default: survival.covariates
    multiplicity = "holm"            # holm | bh | none, across the binary outcomes

    [inference]
    alpha = 0.05
    permutations = 10000
    seed = 20101001
    statistics = ["logrank"]         # randomisation inference: logrank | cox_score | rmst

    [integrity]
    balance = []                     # baseline covariates; default: survival.covariates
    attrition_boundary = "cautious"  # cautious | optimistic (WWC v4.1)
    subgroups = []                   # columns defining subgroups
    meetings = []                    # the three tripartite-meeting date columns
    power = 0.8                      # target power for minimum detectable effects

    [heterogeneity]
    by = ""                          # site column of the across-site analysis ("" = none)

    [report]
    suppression_threshold = 11       # counts below it are suppressed
    funder = ""
    evaluator = ""
    lessons = ""                     # "lessons for public policy" text; "" = placeholder
"""
from __future__ import annotations

import tomllib
import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import PlanError

CANONICAL_COLUMNS = (
    "participant_id", "arm", "contract_start", "contract_end_planned", "followup_end",
    "rupture_date", "rupture_initiative", "stratum", "site", "assigned_on", "support_received",
)
ARMS = ("treatment", "control")
#: Report languages.
LANGUAGES = ("fr", "en")
#: The keys of ``[report]`` that hold a reader text (a string or a table per language).
REPORT_TEXTS = ("funder", "evaluator", "lessons")
RI_STATISTICS = ("logrank", "cox_score", "rmst")
RANDOMIZATION_SCHEMES = ("permuted_blocks", "simple")
PRIMARY_ANALYSES = ("cox_adjusted", "cox_unadjusted", "covariate_adjusted", "logrank", "risk_difference", "rmst")


@dataclass(frozen=True)
class DataPlan:
    date_format: str = "auto"
    sheet: str | int = 0


@dataclass(frozen=True)
class SurvivalPlan:
    horizon_days: int
    landmarks_days: tuple[int, ...] = (90, 180, 365)
    covariates: tuple[str, ...] = ()
    strata: str | None = None
    cluster: str | None = None
    causes: str | None = None
    ties: str = "efron"
    randomization: str = "simple"
    primary: str = "cox_unadjusted"
    firth: bool = False


@dataclass(frozen=True)
class OutcomesPlan:
    binary: tuple[str, ...] = ()
    adjust: tuple[str, ...] = ()
    multiplicity: str = "holm"


@dataclass(frozen=True)
class InferencePlan:
    alpha: float = 0.05
    permutations: int = 10000
    seed: int = 20101001
    statistics: tuple[str, ...] = ("logrank",)


@dataclass(frozen=True)
class IntegrityPlan:
    balance: tuple[str, ...] = ()
    attrition_boundary: str = "cautious"
    subgroups: tuple[str, ...] = ()
    meetings: tuple[str, ...] = ()
    power: float = 0.8


@dataclass(frozen=True)
class HeterogeneityPlan:
    by: str | None = None


@dataclass(frozen=True)
class ReportPlan:
    suppression_threshold: int = 11
    funder: str = ""
    evaluator: str = ""
    lessons: str = ""


@dataclass(frozen=True)
class Plan:
    """A checked analysis plan. Build it with :func:`load_plan` or :func:`plan_from_dict`."""

    title: str
    survival: SurvivalPlan
    language: str = "fr"
    columns: dict[str, str] = field(default_factory=dict)
    arms: dict[str, tuple[str, ...]] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    value_labels: dict[str, dict[str, str]] = field(default_factory=dict)
    data: DataPlan = DataPlan()
    outcomes: OutcomesPlan = OutcomesPlan()
    inference: InferencePlan = InferencePlan()
    integrity: IntegrityPlan = IntegrityPlan()
    report: ReportPlan = ReportPlan()
    heterogeneity: HeterogeneityPlan = HeterogeneityPlan()
    source: str = "<plan>"
    #: The reader texts as the plan wrote them (a string or a table per language):
    #: ``{"language", "shown", "title", "labels", "value_labels", "report"}`` (``shown``: the language
    #: the texts were last taken in); empty for a plan built in code.
    texts: dict[str, Any] = field(default_factory=dict)

    def in_language(self, language: str) -> Plan:
        """This plan for a report in ``language``: ``language`` set, and the title, labels, value
        labels and report texts taken in that language (:func:`text_in`; the plan's own
        ``language`` is the fallback). A text changed in code since the plan was read (e.g. with
        :func:`dataclasses.replace`) is kept as it is; a plan built in code, without per-language
        texts, only changes its ``language``."""
        _choice(language, LANGUAGES, "language", self.source)
        texts = self.texts
        if not texts:
            return dataclasses.replace(self, language=language)

        shown = texts["shown"]  # the language the texts were last taken in

        def pick(current: str, text: str | dict[str, str] | None) -> str:
            if text is None or current != text_in(text, shown, texts["language"]):
                return current
            return text_in(text, language, texts["language"])

        return dataclasses.replace(
            self, language=language, texts={**texts, "shown": language}, title=pick(self.title, texts["title"]),
            labels={column: pick(label, texts["labels"].get(column)) for column, label in self.labels.items()},
            value_labels={column: {level: pick(label, texts["value_labels"].get(column, {}).get(level))
                                   for level, label in table.items()}
                          for column, table in self.value_labels.items()},
            report=dataclasses.replace(self.report, **{key: pick(getattr(self.report, key), text)
                                                       for key, text in texts["report"].items()}))

    @property
    def balance_covariates(self) -> tuple[str, ...]:
        """Covariates of the baseline-balance table (default: the Cox covariates)."""
        return self.integrity.balance or self.survival.covariates

    @property
    def adjust_covariates(self) -> tuple[str, ...]:
        """Covariates of the Lin-adjusted outcome estimates (default: the Cox covariates)."""
        return self.outcomes.adjust or self.survival.covariates


_SECTIONS: dict[str, dict[str, type | tuple[type, ...]]] = {
    "data": {"date_format": str, "sheet": (str, int)},
    "survival": {"horizon_days": int, "landmarks_days": list, "covariates": list, "strata": str,
                 "cluster": str, "causes": str, "ties": str, "randomization": str, "primary": str, "firth": bool},
    "outcomes": {"binary": list, "adjust": list, "multiplicity": str},
    "inference": {"alpha": (float, int), "permutations": int, "seed": int, "statistics": list},
    "integrity": {"balance": list, "attrition_boundary": str, "subgroups": list, "meetings": list,
                  "power": (float, int)},
    "report": {"suppression_threshold": int, "funder": (str, dict), "evaluator": (str, dict), "lessons": (str, dict)},
    "heterogeneity": {"by": str},
}
_TOP = {"title": (str, dict), "language": str, "columns": dict, "arms": dict, "labels": dict, "value_labels": dict,
        **{s: dict for s in _SECTIONS}}


def load_plan(path: str | Path) -> Plan:
    """Read and check a TOML analysis plan.

    Raises
    ------
    PlanError
        The file cannot be read, is not TOML, misses a required key, has an
        unknown key or a value of the wrong type or range. The message names
        the file and the key.
    """
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise PlanError(f"{path}: cannot read the plan: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise PlanError(f"{path}: not valid TOML: {exc}") from None
    return plan_from_dict(raw, source=str(path))


def _check_types(raw: dict[str, Any], spec: dict, where: str, source: str) -> None:
    for key, value in raw.items():
        if key not in spec:
            raise PlanError(f"{source}: unknown key '{key}' in {where} (known: {', '.join(sorted(spec))})")
        expected = spec[key]
        if (isinstance(value, bool) and expected is not bool) or not isinstance(value, expected):
            names = expected.__name__ if isinstance(expected, type) else " or ".join(t.__name__ for t in expected)
            raise PlanError(f"{source}: key '{key}' in {where} must be {names}, got {value!r}")


def text_in(text: str | dict[str, str], language: str, fallback: str) -> str:
    """A reader text in ``language``: a string is the same in every language; a table per
    language gives its ``language`` entry, else its ``fallback`` entry (the plan's language),
    else its first entry."""
    if isinstance(text, str):
        return text
    return text.get(language) or text.get(fallback) or next(iter(text.values()))


def _text(value: Any, where: str, source: str) -> str | dict[str, str]:
    """Check a reader text: a string, or a non-empty table of strings keyed by language."""
    if isinstance(value, str):
        return value
    if (isinstance(value, dict) and value and set(value) <= set(LANGUAGES)
            and all(isinstance(v, str) for v in value.values())):
        return dict(value)
    raise PlanError(f"{source}: {where} must be a text or a table of texts per language "
                    f"({', '.join(LANGUAGES)}), got {value!r}")


def _strings(values: list, key: str, source: str) -> tuple[str, ...]:
    if not all(isinstance(v, str) and v for v in values):
        raise PlanError(f"{source}: '{key}' must be a list of non-empty strings, got {values!r}")
    return tuple(values)


def _choice(value: str, choices: tuple[str, ...], key: str, source: str) -> str:
    if value not in choices:
        raise PlanError(f"{source}: '{key}' must be one of {', '.join(choices)}, got {value!r}")
    return value


def plan_from_dict(raw: dict[str, Any], source: str = "<plan>") -> Plan:
    """Build a :class:`Plan` from the parsed TOML mapping (see :func:`load_plan`)."""
    _check_types(raw, _TOP, "the plan", source)
    for section, spec in _SECTIONS.items():
        _check_types(raw.get(section, {}), spec, f"[{section}]", source)
    if not raw.get("title"):
        raise PlanError(f"{source}: missing required key 'title'")
    language = _choice(raw.get("language", "fr"), ("fr", "en"), "language", source)

    columns = raw.get("columns", {})
    for src, canon in columns.items():
        if not isinstance(canon, str) or not canon:
            raise PlanError(f"{source}: [columns] '{src}' must map to a column name, got {canon!r}")
    arms: dict[str, tuple[str, ...]] = {}
    for arm, labels in raw.get("arms", {}).items():
        _choice(arm, ARMS, "[arms] key", source)
        labels = [labels] if isinstance(labels, str) else labels
        if not isinstance(labels, list):
            raise PlanError(f"{source}: [arms] {arm} must be a list of labels, got {labels!r}")
        arms[arm] = tuple(str(label) for label in labels)

    labels = {column: _text(text, f"[labels] '{column}'", source) for column, text in raw.get("labels", {}).items()}
    value_labels: dict[str, dict[str, str | dict[str, str]]] = {}
    for column, table in raw.get("value_labels", {}).items():
        if not isinstance(table, dict):
            raise PlanError(f"{source}: [value_labels.{column}] must map values to strings, got {table!r}")
        value_labels[column] = {level: _text(text, f"[value_labels.{column}] '{level}'", source)
                                for level, text in table.items()}

    s = raw.get("survival", {})
    if "horizon_days" not in s:
        raise PlanError(f"{source}: missing required key 'horizon_days' in [survival]")
    if s["horizon_days"] <= 0:
        raise PlanError(f"{source}: 'horizon_days' in [survival] must be positive, got {s['horizon_days']}")
    landmarks = tuple(s.get("landmarks_days", [90, 180, 365]))
    if not all(isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in landmarks):
        raise PlanError(f"{source}: 'landmarks_days' must be a list of non-negative whole days, got {list(landmarks)!r}")
    survival = SurvivalPlan(
        horizon_days=s["horizon_days"],
        landmarks_days=landmarks,
        covariates=_strings(s.get("covariates", []), "covariates", source),
        strata=s.get("strata") or None,
        cluster=s.get("cluster") or None,
        causes=s.get("causes") or None,
        ties=_choice(s.get("ties", "efron"), ("efron", "breslow"), "ties", source),
        randomization=_choice(s.get("randomization", "permuted_blocks" if s.get("strata") else "simple"),
                              RANDOMIZATION_SCHEMES, "randomization", source),
        primary=_choice(s.get("primary", "cox_adjusted" if s.get("covariates") else "cox_unadjusted"),
                        PRIMARY_ANALYSES, "primary", source),
        firth=s.get("firth", False),
    )
    if survival.primary in ("cox_adjusted", "covariate_adjusted") and not survival.covariates:
        raise PlanError(f"{source}: 'primary' = {survival.primary!r} in [survival] needs 'covariates'")

    o = raw.get("outcomes", {})
    outcomes = OutcomesPlan(
        binary=_strings(o.get("binary", []), "binary", source),
        adjust=_strings(o.get("adjust", []), "adjust", source),
        multiplicity=_choice(o.get("multiplicity", "holm"), ("holm", "bh", "none"), "multiplicity", source),
    )

    i = raw.get("inference", {})
    alpha = float(i.get("alpha", 0.05))
    if not 0 < alpha < 1:
        raise PlanError(f"{source}: 'alpha' in [inference] must be between 0 and 1, got {alpha}")
    permutations = i.get("permutations", 10000)
    if permutations < 0:
        raise PlanError(f"{source}: 'permutations' in [inference] must be >= 0, got {permutations}")
    statistics = _strings(i.get("statistics", ["logrank"]), "statistics", source)
    for stat in statistics:
        _choice(stat, RI_STATISTICS, "statistics", source)
    inference = InferencePlan(alpha=alpha, permutations=permutations, seed=i.get("seed", 20101001),
                              statistics=statistics)

    g = raw.get("integrity", {})
    power = float(g.get("power", 0.8))
    if not 0 < power < 1:
        raise PlanError(f"{source}: 'power' in [integrity] must be between 0 and 1, got {power}")
    integrity = IntegrityPlan(
        balance=_strings(g.get("balance", []), "balance", source),
        attrition_boundary=_choice(g.get("attrition_boundary", "cautious"), ("cautious", "optimistic"),
                                   "attrition_boundary", source),
        subgroups=_strings(g.get("subgroups", []), "subgroups", source),
        meetings=_strings(g.get("meetings", []), "meetings", source),
        power=power,
    )

    r = raw.get("report", {})
    if r.get("suppression_threshold", 11) < 1:
        raise PlanError(f"{source}: 'suppression_threshold' in [report] must be >= 1")
    texts = {"language": language, "shown": language, "title": _text(raw["title"], "'title'", source),
             "labels": labels, "value_labels": value_labels,
             "report": {key: _text(r[key], f"'{key}' in [report]", source) for key in REPORT_TEXTS if key in r}}

    def own(text: str | dict[str, str]) -> str:
        return text_in(text, language, language)

    report = ReportPlan(**{**r, **{key: own(text) for key, text in texts["report"].items()}})
    d = raw.get("data", {})
    heterogeneity = HeterogeneityPlan(by=raw.get("heterogeneity", {}).get("by") or None)
    return Plan(title=own(texts["title"]), language=language, columns=dict(columns), arms=arms,
                labels={column: own(text) for column, text in labels.items()},
                value_labels={column: {level: own(text) for level, text in table.items()}
                              for column, table in value_labels.items()},
                data=DataPlan(**d), survival=survival, outcomes=outcomes, inference=inference,
                integrity=integrity, report=report, heterogeneity=heterogeneity, source=source, texts=texts)


def default_plan(title: str = "Cohort", horizon_days: int = 365) -> Plan:
    """The plan used by ``evalexp validate`` without ``--plan``: canonical names and labels."""
    return Plan(title=title, survival=SurvivalPlan(horizon_days=horizon_days))
