"""The packaged results schema (a copy of the contract's) and its check with jsonschema."""
import json
import math

import pytest

from evalexp.errors import ResultsSchemaError
from evalexp.schema import check_results, result_problems, results_schema

# the contract's section 4 example, reduced to its required keys
MINIMAL = {
    "schema_version": 2, "n": {"treatment": 75, "control": 75}, "events": {"treatment": 12, "control": 21},
    "survival": {
        "km": {"treatment": [{"day": 90, "survival": 0.9, "ci_low": 0.8, "ci_high": 0.95, "at_risk": 60}],
               "control": []},
        "logrank": {"statistic": 3.1, "p_value": 0.08, "stratified": False},
        "cox": {"unadjusted": {"log_hr": -0.5, "se": 0.2, "hr": 0.6, "ci_low": 0.4, "ci_high": 0.9,
                               "p_value": 0.01}},
        "rmst": {"tau_days": 365, "treatment": 300.1, "control": 280.4, "difference": 19.7, "se": 8.0,
                 "ci_low": 4.0, "ci_high": 35.4, "p_value": 0.014},
        "risk_difference": {"day": 365, "treatment": 0.16, "control": 0.28, "difference": -0.12, "se": 0.07,
                            "ci_low": -0.25, "ci_high": 0.01}}}


def test_the_schema_is_package_data_and_accepts_both_versions():
    schema = results_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert result_problems(MINIMAL) == []
    assert result_problems({**MINIMAL, "schema_version": 1}) == []


def test_a_missing_key_and_a_wrong_type_are_named_by_their_pointer():
    doc = json.loads(json.dumps(MINIMAL))
    del doc["events"]
    doc["n"]["control"] = "75"
    assert result_problems(doc) == ["(top level): 'events' is a required property",
                                    "/n/control: '75' is not of type 'integer', 'null'"]


def test_nan_is_refused_as_the_contract_checker_does():
    doc = json.loads(json.dumps(MINIMAL))
    doc["survival"]["logrank"]["p_value"] = math.nan
    with pytest.raises(ResultsSchemaError) as caught:
        check_results(doc, "out.json")
    assert str(caught.value) == ("out.json: 1 departure from the results schema: "
                                 "/survival/logrank/p_value: nan is not a JSON number (use null)")


def test_a_valid_document_passes():
    check_results(MINIMAL)
