"""Public rules of binary_outcomes.<name>.wwc: labels published, counts of people by the small-count rules."""
from evalexp.disclosure import results as rules
from evalexp.disclosure.ledger import Ledger

N = {"treatment": 75, "control": 75}


def _outcome(observed, covariate_n):
    wwc = {"standard": "WWC Procedures and Standards Handbook v5.0",
           "attrition": {"n_assigned": dict(N), "n_analysed": dict(observed), "overall": 0.2, "differential": 0.1,
                         "overall_row_percent": 20, "max_differential_points": 5.4, "rating": "high"},
           "baseline_equivalence": {"sample": "analysed", "status": "adjusted",
                                    "thresholds": {"satisfies": 0.05, "fails": 0.25},
                                    "covariates": [{"covariate": "age", "level": None, "measure": "hedges_g",
                                                    "n": dict(covariate_n), "std_difference": 0.08,
                                                    "adjusted": True, "judgement": "adjusted"}]},
           "rating": "meets_with_reservations", "reasons": ["high_attrition", "adjusted_for:age"]}
    return {"treatment": 0.5, "control": 0.4, "difference": 0.1, "se": 0.08, "ci_low": -0.06, "ci_high": 0.26,
            "p_value": 0.2, "n_observed": dict(observed), "p_holm": 0.2, "p_bh": 0.2, "p_adjusted": 0.2,
            "multiplicity": "holm", "adjusted": ["age"], "wwc": wwc}


def _apply(outcome):
    ledger = Ledger({"n": N, "events": {"treatment": 20, "control": 30}, "binary_outcomes": {"y": outcome}}, 11)
    hidden = rules.binary_outcomes(ledger)
    rules.wwc(ledger, hidden)
    return ledger, ledger.data["binary_outcomes"]["y"]["wwc"]


def test_numbers_published_when_no_small_count():
    _, wwc = _apply(_outcome({"treatment": 60, "control": 50}, {"treatment": 60, "control": 50}))
    assert wwc["attrition"]["n_analysed"] == {"treatment": 60, "control": 50}
    assert wwc["attrition"]["overall"] == 0.2
    assert wwc["baseline_equivalence"]["covariates"][0]["std_difference"] == 0.08
    assert wwc["rating"] == "meets_with_reservations"


def test_a_few_missing_withhold_the_numbers_analysed_but_not_the_rating():
    ledger, wwc = _apply(_outcome({"treatment": 73, "control": 50}, {"treatment": 73, "control": 50}))
    assert wwc["attrition"]["n_analysed"] == {"treatment": None, "control": None}
    assert wwc["attrition"]["overall"] is None and wwc["attrition"]["differential"] is None
    assert wwc["baseline_equivalence"]["covariates"][0]["std_difference"] is None
    assert wwc["rating"] == "meets_with_reservations"
    assert wwc["reasons"] == ["high_attrition", "adjusted_for:age"]
    assert wwc["attrition"]["rating"] == "high"
    assert ledger.rule("binary_outcomes", "y", "wwc", "attrition", "overall") == "derived"


def test_a_covariate_known_for_all_but_a_few_analysed_is_withheld_with_its_difference():
    ledger, wwc = _apply(_outcome({"treatment": 60, "control": 50}, {"treatment": 58, "control": 50}))
    row = wwc["baseline_equivalence"]["covariates"][0]
    assert row["n"] == {"treatment": None, "control": 50}
    assert row["std_difference"] is None and row["judgement"] == "adjusted"
    assert ledger.rule("binary_outcomes", "y", "wwc", "baseline_equivalence", "covariates", 0, "n",
                       "treatment") == "complement"


def test_numbers_observed_to_the_horizon_are_withheld_with_the_risk_difference():
    power = {"n": dict(N), "events": 50, "risk_difference": {
        "method": "arcsine", "day": 365, "control_rate": 0.3, "treatment_rate": 0.1, "minimum_detectable": 0.2,
        "n_effective": {"treatment": 68.9, "control": 71.9}}}
    ledger = Ledger({"n": N, "events": {"treatment": 20, "control": 30}, "power": power,
                     "survival": {"risk_difference": {"difference": None}}}, 11)
    rules.power(ledger)
    assert ledger.data["power"]["risk_difference"]["n_effective"] == {"treatment": None, "control": None}
    ledger = Ledger({"n": N, "events": {"treatment": 20, "control": 30}, "power": power,
                     "survival": {"risk_difference": {"difference": -0.1}}}, 11)
    rules.power(ledger)
    assert ledger.data["power"]["risk_difference"]["n_effective"] == {"treatment": 68.9, "control": 71.9}
