"""The pre-specified analysis plan (TOML), docs/CONTRACT.md section 2.

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

    [recode.employed_6m]             # canonical value -> source labels (case, accents, spaces ignored)
    1 = ["Oui", "O"]
    0 = ["Non", "N"]
    [reference]                      # reference level of a categorical covariate (default: the first
    diploma = "sans diplôme"         # level in case- and accent-insensitive order, evalexp.levels)

    [data]
    date_format = "auto"             # auto | "DD/MM/YYYY", "JJ/MM/AAAA"... | any strptime format ("%d/%m/%Y")
    sheet = 0                        # Excel sheet (name or index)
    header_row = 1                   # 1-based row of the header (CSV line or sheet row); rows above ignored
    date_min = 1990-01-01            # canonical dates outside date_min..date_max are refused (TOML dates,
                                     # within 1678-01-01..2261-12-31)
    date_max = 2099-12-31
    engine = "auto"                  # auto | memory | duckdb | spark (auto: duckdb from 10^6 rows)

    [survival]
    horizon_days = 365               # required, >= 1, and at most the cohort's longest follow-up
    landmarks_days = [90, 180, 365]  # positive days
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
    alpha = 0.05                     # in (0, 1)
    permutations = 10000             # >= 1
    seed = 20101001                  # >= 0
    statistics = ["logrank"]         # randomisation inference: logrank | cox_score | rmst
    small_sample = "auto"            # auto | always | never: which version the report shows

    [integrity]
    balance = []                     # baseline covariates; default: survival.covariates
    attrition_boundary = "cautious"  # cautious | optimistic (WWC v4.1)
    subgroups = []                   # columns defining subgroups
    meetings = []                    # the three tripartite-meeting date columns
    power = 0.8                      # target power for minimum detectable effects
    planned_hazard_ratio = 0.75      # the effect the trial was designed to detect (optional; the
                                     # summary then says "inconclusive" or "underpowered")

    [heterogeneity]
    by = ""                          # site column of the across-site analysis ("" = none)

    [report]
    suppression_threshold = 11       # counts below it are suppressed; >= 5 (docs/CONTRACT.md section 6)
    funder = ""
    evaluator = ""
    lessons = ""                     # "lessons for public policy" text; "" = no such section
    intervention = ""                # what the support was ("" = no such section)
    period = ""                      # when it ran, e.g. "septembre 2023 - juin 2025"
    recommendations = ""             # recommendations ("" = no such section)
    cost_per_participant = 850       # cost of the support per participant (> 0; absent = no cost analysis)
    currency = "EUR"
    calibration = ""                 # calibration.json of `evalexp calibrate` for the methods annex

The file must be UTF-8 (a BOM is allowed); anything else is refused naming
the line of the first undecodable byte.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import EvalexpTypeError, PlanError
from .plan_loading import check_column_names, date_format, header_row, recode_tables, reference_levels

CANONICAL_COLUMNS = (
    "participant_id", "arm", "contract_start", "contract_end_planned", "followup_end",
    "rupture_date", "rupture_initiative", "stratum", "site", "assigned_on", "support_received",
)
ARMS = ("treatment", "control")
#: The widest ``[data] date_min`` .. ``date_max``: the days that ``datetime64[ns]`` holds, in whole years.
DATE_LIMITS = (dt.date(1678, 1, 1), dt.date(2261, 12, 31))
#: The smallest ``suppression_threshold`` a plan may set (docs/CONTRACT.md section 6).
MIN_SUPPRESSION_THRESHOLD = 5
#: Report languages.
LANGUAGES = ("fr", "en")
#: The keys of ``[report]`` that hold a reader text (a string or a table per language).
REPORT_TEXTS = ("funder", "evaluator", "lessons", "intervention", "period", "recommendations")
RI_STATISTICS = ("logrank", "cox_score", "rmst")
SMALL_SAMPLE = ("auto", "always", "never")
RANDOMIZATION_SCHEMES = ("permuted_blocks", "simple")
PRIMARY_ANALYSES = ("cox_adjusted", "cox_unadjusted", "covariate_adjusted", "logrank", "risk_difference", "rmst")
#: ``[data] engine`` and ``--engine``: auto picks memory or duckdb by the file's size (:mod:`evalexp.engine`).
ENGINES = ("auto", "memory", "duckdb", "spark")
TIES = ("efron", "breslow")
MULTIPLICITY = ("holm", "bh", "none")
ATTRITION_BOUNDARIES = ("cautious", "optimistic")


@dataclass(frozen=True)
class DataPlan:
    date_format: str = "auto"
    sheet: str | int = 0
    header_row: int = 1
    date_min: dt.date = dt.date(1990, 1, 1)
    date_max: dt.date = dt.date(2099, 12, 31)
    engine: str = "auto"


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
    small_sample: str = "auto"


@dataclass(frozen=True)
class IntegrityPlan:
    balance: tuple[str, ...] = ()
    attrition_boundary: str = "cautious"
    subgroups: tuple[str, ...] = ()
    meetings: tuple[str, ...] = ()
    power: float = 0.8
    planned_hazard_ratio: float | None = None


@dataclass(frozen=True)
class HeterogeneityPlan:
    by: str | None = None


@dataclass(frozen=True)
class ReportPlan:
    suppression_threshold: int = 11
    funder: str = ""
    evaluator: str = ""
    lessons: str = ""
    calibration: str = ""
    intervention: str = ""
    period: str = ""
    recommendations: str = ""
    cost_per_participant: float | None = None
    currency: str = "EUR"


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
    #: ``[recode.COLUMN]``: column -> canonical value -> source labels (:mod:`evalexp.recode`).
    recode: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)
    #: ``[reference]``: categorical covariate -> its reference level (:mod:`evalexp.levels`).
    reference: dict[str, str] = field(default_factory=dict)
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

        report_texts: dict[str, Any] = {key: pick(getattr(self.report, key), text)
                                        for key, text in texts["report"].items()}
        return dataclasses.replace(
            self, language=language, texts={**texts, "shown": language}, title=pick(self.title, texts["title"]),
            labels={column: pick(label, texts["labels"].get(column)) for column, label in self.labels.items()},
            value_labels={column: {level: pick(label, texts["value_labels"].get(column, {}).get(level))
                                   for level, label in table.items()}
                          for column, table in self.value_labels.items()},
            report=dataclasses.replace(self.report, **report_texts))

    @property
    def balance_covariates(self) -> tuple[str, ...]:
        """Covariates of the baseline-balance table (default: the Cox covariates)."""
        return self.integrity.balance or self.survival.covariates

    @property
    def adjust_covariates(self) -> tuple[str, ...]:
        """Covariates of the Lin-adjusted outcome estimates (default: the Cox covariates)."""
        return self.outcomes.adjust or self.survival.covariates


_SECTIONS: dict[str, dict[str, type | tuple[type, ...]]] = {
    "data": {"date_format": str, "sheet": (str, int), "header_row": int, "date_min": dt.date, "date_max": dt.date,
             "engine": str},
    "survival": {"horizon_days": int, "landmarks_days": list, "covariates": list, "strata": str,
                 "cluster": str, "causes": str, "ties": str, "randomization": str, "primary": str, "firth": bool},
    "outcomes": {"binary": list, "adjust": list, "multiplicity": str},
    "inference": {"alpha": (float, int), "permutations": int, "seed": int, "statistics": list,
                  "small_sample": str},
    "integrity": {"balance": list, "attrition_boundary": str, "subgroups": list, "meetings": list,
                  "power": (float, int), "planned_hazard_ratio": (float, int)},
    "report": {"suppression_threshold": int, "funder": (str, dict), "evaluator": (str, dict), "lessons": (str, dict),
               "intervention": (str, dict), "period": (str, dict), "recommendations": (str, dict),
               "cost_per_participant": (float, int), "currency": str, "calibration": str},
    "heterogeneity": {"by": str},
}
_TOP = {"title": (str, dict), "language": str, "columns": dict, "arms": dict, "labels": dict, "value_labels": dict,
        "recode": dict, "reference": dict, **{s: dict for s in _SECTIONS}}


def load_plan(path: str | Path) -> Plan:
    """Read and check a TOML analysis plan.

    Raises
    ------
    PlanError
        The file cannot be read, is not TOML, misses a required key, has an
        unknown key or a value of the wrong type or range. The message names
        the file and the key.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise EvalexpTypeError(f"load_plan(): 'path' must be a path (str or pathlib.Path) to a TOML plan, "
                               f"got {type(path).__name__}")
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PlanError(f"{path}: cannot read the plan: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise PlanError(f"{path}: the plan is not UTF-8 text: byte 0x{data[exc.start]:02x} on line {line} "
                        f"(save the file as UTF-8)") from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PlanError(f"{path}: not valid TOML: {exc}") from None
    return plan_from_dict(raw, source=str(path))


def _check_types(raw: dict[str, Any], spec: dict, where: str, source: str) -> None:
    for key, value in raw.items():
        if key not in spec:
            raise PlanError(f"{source}: unknown key '{key}' in {where} (known: {', '.join(sorted(spec))})")
        expected = spec[key]
        if (isinstance(value, bool) and expected is not bool) or not isinstance(value, expected) or (
                expected is dt.date and isinstance(value, dt.datetime)):
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
    if not isinstance(raw, dict):
        raise EvalexpTypeError(f"plan_from_dict(): 'raw' must be a dict (a parsed TOML plan), got {type(raw).__name__}")
    _check_types(raw, _TOP, "the plan", source)
    for section, spec in _SECTIONS.items():
        _check_types(raw.get(section, {}), spec, f"[{section}]", source)
    if not raw.get("title"):
        raise PlanError(f"{source}: missing required key 'title'")
    language = _choice(raw.get("language", Plan.language), LANGUAGES, "language", source)

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
    landmarks = tuple(s.get("landmarks_days", SurvivalPlan.landmarks_days))
    if not all(isinstance(d, int) and not isinstance(d, bool) and d >= 1 for d in landmarks):
        raise PlanError(f"{source}: 'landmarks_days' must be a list of positive whole days, got {list(landmarks)!r}")
    d = raw.get("data", {})
    if "engine" in d:
        _choice(d["engine"], ENGINES, "engine", source)
    date_min, date_max = d.get("date_min", DataPlan.date_min), d.get("date_max", DataPlan.date_max)
    if date_min >= date_max:
        raise PlanError(f"{source}: 'date_min' in [data] must be before 'date_max', got {date_min} and {date_max}")
    if date_min < DATE_LIMITS[0] or date_max > DATE_LIMITS[1]:
        raise PlanError(f"{source}: 'date_min' and 'date_max' in [data] must lie within {DATE_LIMITS[0]}.."
                        f"{DATE_LIMITS[1]} (the dates evalexp can hold), got {date_min} and {date_max}")
    d = {**d, "date_format": date_format(d.get("date_format", "auto"), source),
         "header_row": header_row(d.get("header_row", 1), source)}
    span = (date_max - date_min).days
    for key, days in (("horizon_days", s["horizon_days"]), ("landmarks_days", max(landmarks, default=0))):
        if days > span:
            raise PlanError(f"{source}: '{key}' in [survival] must be at most {span} days (the span of [data] "
                            f"date_min..date_max, {date_min}..{date_max}), got {days}")
    survival = SurvivalPlan(
        horizon_days=s["horizon_days"],
        landmarks_days=landmarks,
        covariates=_strings(s.get("covariates", []), "covariates", source),
        strata=s.get("strata") or None,
        cluster=s.get("cluster") or None,
        causes=s.get("causes") or None,
        ties=_choice(s.get("ties", SurvivalPlan.ties), TIES, "ties", source),
        randomization=_choice(s.get("randomization", "permuted_blocks" if s.get("strata") else "simple"),
                              RANDOMIZATION_SCHEMES, "randomization", source),
        primary=_choice(s.get("primary", "cox_adjusted" if s.get("covariates") else "cox_unadjusted"),
                        PRIMARY_ANALYSES, "primary", source),
        firth=s.get("firth", SurvivalPlan.firth),
    )
    if survival.primary in ("cox_adjusted", "covariate_adjusted") and not survival.covariates:
        raise PlanError(f"{source}: 'primary' = {survival.primary!r} in [survival] needs 'covariates'")

    o = raw.get("outcomes", {})
    outcomes = OutcomesPlan(
        binary=_strings(o.get("binary", []), "binary", source),
        adjust=_strings(o.get("adjust", []), "adjust", source),
        multiplicity=_choice(o.get("multiplicity", OutcomesPlan.multiplicity), MULTIPLICITY, "multiplicity", source),
    )

    i = raw.get("inference", {})
    alpha = float(i.get("alpha", InferencePlan.alpha))
    if not 0 < alpha < 1:
        raise PlanError(f"{source}: 'alpha' in [inference] must be between 0 and 1, got {alpha}")
    permutations = i.get("permutations", InferencePlan.permutations)
    if permutations < 1:
        raise PlanError(f"{source}: 'permutations' in [inference] must be >= 1, got {permutations}")
    if i.get("seed", InferencePlan.seed) < 0:
        raise PlanError(f"{source}: 'seed' in [inference] must be >= 0, got {i['seed']}")
    statistics = _strings(i.get("statistics", InferencePlan.statistics), "statistics", source)
    for stat in statistics:
        _choice(stat, RI_STATISTICS, "statistics", source)
    inference = InferencePlan(alpha=alpha, permutations=permutations, seed=i.get("seed", InferencePlan.seed),
                              statistics=statistics,
                              small_sample=_choice(i.get("small_sample", InferencePlan.small_sample), SMALL_SAMPLE,
                                                   "small_sample", source))

    g = raw.get("integrity", {})
    power = float(g.get("power", IntegrityPlan.power))
    if not 0 < power < 1:
        raise PlanError(f"{source}: 'power' in [integrity] must be between 0 and 1, got {power}")
    integrity = IntegrityPlan(
        balance=_strings(g.get("balance", []), "balance", source),
        attrition_boundary=_choice(g.get("attrition_boundary", IntegrityPlan.attrition_boundary),
                                   ATTRITION_BOUNDARIES, "attrition_boundary", source),
        subgroups=_strings(g.get("subgroups", []), "subgroups", source),
        meetings=_strings(g.get("meetings", []), "meetings", source),
        power=power,
        planned_hazard_ratio=g.get("planned_hazard_ratio"),
    )
    planned = g.get("planned_hazard_ratio")
    if planned is not None and not (planned > 0 and planned != 1):
        raise PlanError(f"{source}: 'planned_hazard_ratio' in [integrity] must be > 0 and different from 1, "
                        f"got {g['planned_hazard_ratio']}")

    r = raw.get("report", {})
    if r.get("suppression_threshold", ReportPlan.suppression_threshold) < MIN_SUPPRESSION_THRESHOLD:
        raise PlanError(f"{source}: 'suppression_threshold' in [report] must be >= {MIN_SUPPRESSION_THRESHOLD} "
                        f"(docs/CONTRACT.md section 6), got {r['suppression_threshold']}")
    if r.get("cost_per_participant", 1) <= 0:
        raise PlanError(f"{source}: 'cost_per_participant' in [report] must be > 0, got {r['cost_per_participant']!r}")
    texts: dict[str, Any]  # texts and tables of texts
    texts = {"language": language, "shown": language, "title": _text(raw["title"], "'title'", source),
             "labels": labels, "value_labels": value_labels,
             "report": {key: _text(r[key], f"'{key}' in [report]", source) for key in REPORT_TEXTS if key in r}}

    def own(text: str | dict[str, str]) -> str:
        return text_in(text, language, language)

    report = ReportPlan(**{**r, **{key: own(text) for key, text in texts["report"].items()}})
    heterogeneity = HeterogeneityPlan(by=raw.get("heterogeneity", {}).get("by") or None)
    recode = recode_tables(raw.get("recode", {}), source)
    named = {"'covariates' in [survival]": list(survival.covariates),
             **{f"'{key}' in [survival]": [getattr(survival, key)] for key in ("strata", "cluster", "causes")
                if getattr(survival, key)},
             "'binary' in [outcomes]": list(outcomes.binary), "'adjust' in [outcomes]": list(outcomes.adjust),
             **{f"'{key}' in [integrity]": list(getattr(integrity, key))
                for key in ("balance", "subgroups", "meetings")},
             "'by' in [heterogeneity]": [heterogeneity.by] if heterogeneity.by else [],
             "[labels]": list(labels), "[value_labels]": list(value_labels), "[recode]": list(recode),
             "[reference]": list(raw.get("reference", {}))}
    check_column_names(dict(columns), named, source)
    covariates = {*survival.covariates, *outcomes.adjust, *integrity.balance, *integrity.subgroups}
    reference = reference_levels(raw.get("reference", {}), covariates, source)
    return Plan(title=own(texts["title"]), language=language, columns=dict(columns), arms=arms,
                labels={column: own(text) for column, text in labels.items()},
                value_labels={column: {level: own(text) for level, text in table.items()}
                              for column, table in value_labels.items()},
                recode=recode, reference=reference,
                data=DataPlan(**d), survival=survival, outcomes=outcomes, inference=inference,
                integrity=integrity, report=report, heterogeneity=heterogeneity, source=source, texts=texts)


def default_plan(title: str = "Cohort", horizon_days: int = 365) -> Plan:
    """The plan used by ``evalexp validate`` without ``--plan``: canonical names and labels."""
    return Plan(title=title, survival=SurvivalPlan(horizon_days=horizon_days))
