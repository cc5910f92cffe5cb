"""The results mixin: JSON-safe numbers and stable tidy columns."""
import math
from dataclasses import dataclass

import numpy as np

from evalexp.results import TIDY_COLUMNS, Result, json_number, tidy_frame


def test_json_number_turns_nan_and_infinity_into_none():
    assert json_number(float("nan")) is None
    assert json_number(np.inf) is None
    assert json_number(None) is None


def test_json_number_gives_python_scalars():
    assert type(json_number(np.int64(3))) is int
    assert type(json_number(np.float32(0.5))) is float
    assert json_number(np.bool_(True)) is True


def test_tidy_frame_has_the_stable_columns_in_order():
    frame = tidy_frame([{"term": "treated", "estimate": -0.5, "p_value": 0.01}])
    assert list(frame.columns) == TIDY_COLUMNS
    assert math.isnan(frame.loc[0, "std_error"])


@dataclass(frozen=True)
class _Toy(Result):
    estimate: float
    title = "Toy"

    def tidy(self):
        return tidy_frame([{"term": "x", "estimate": self.estimate}])

    def conventions(self):
        return "closed form"


def test_summary_and_html_come_from_tidy():
    toy = _Toy(1.25)
    assert toy.summary().splitlines()[:2] == ["Toy", "==="]
    assert "1.25" in toy.summary() and toy.summary().endswith("closed form")
    assert "<strong>Toy</strong>" in toy._repr_html_() and "1.25" in toy._repr_html_()
