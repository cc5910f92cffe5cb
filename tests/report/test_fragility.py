"""The report's sentences on fragile Cox estimates and its table of analysis warnings (issue 11)."""
from evalexp.report.fragility import fragility_notes, term_label, warnings_table
from evalexp.report.i18n import Formatter

RESULTS = {
    "survival": {"cox": {"unadjusted": {"log_hr": -0.8}, "adjusted": {
        "log_hr": -0.99, "diverged": ["diploma[bac+2]"],
        "small_sample": {"method": "firth", "hr": 0.4, "ci_low": 0.16, "ci_high": 0.89, "p_value": 0.024}}}},
    "warnings": [
        {"code": "few_events_per_parameter", "message": "adjusted Cox model: fewer than 10 ruptures per coefficient",
         "model": "adjusted Cox model"},
        {"code": "monotone_likelihood", "message": None, "model": "adjusted Cox model"},  # as published
    ],
}


def test_term_labels_use_the_plan_labels():
    fmt = Formatter("fr", labels={"diploma": "Diplôme"})
    assert term_label(fmt, "diploma[bac+2]") == "Diplôme\u00a0: bac+2"
    assert term_label(fmt, "age") == "age"


def test_notes_name_the_diverged_term_the_fragile_estimate_and_firth():
    texts = [b.text for b in fragility_notes(Formatter("en", labels={"diploma": "Diploma"}), RESULTS)]
    assert texts == [
        "Adjusted Cox model: no contract was broken in the group Diploma: bac+2 (monotone likelihood, infinite "
        "coefficient). The effect of the support is still estimated, as R does, but the adjusted hazard ratio is "
        "fragile; the unadjusted one does not depend on the covariates.",
        "Adjusted Cox model: the number of ruptures per estimated coefficient is below 10. "
        "The adjusted hazard ratio is fragile (Peduzzi et al., 1995); "
        "the unadjusted one does not depend on the covariates.",
        "With Firth's penalised likelihood (Heinze and Schemper, 2001), the adjusted hazard ratio is 0.40 "
        "[0.16, 0.89] (p = 0.024).",
    ]
    assert len(fragility_notes(Formatter("fr"), RESULTS)) == 3


def test_no_warning_no_note_and_no_table():
    quiet = {"survival": {"cox": {"unadjusted": {"log_hr": -0.8}, "adjusted": {"log_hr": -0.9, "diverged": []}}},
             "warnings": []}
    assert fragility_notes(Formatter("en"), quiet) == [] and warnings_table(Formatter("en"), quiet) == []


def test_annex_table_translates_codes_and_models_without_the_messages():
    table = warnings_table(Formatter("fr"), RESULTS)[0]
    assert table.rows == (("Trop peu de ruptures par coefficient (moins de dix)", "Modèle de Cox ajusté"),
                          ("Vraisemblance monotone (coefficient infini)", "Modèle de Cox ajusté"))
