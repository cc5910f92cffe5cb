"""Pseudonyms: keyed HMAC-SHA256, stable under a key, different across keys, no raw id left."""
import hashlib
import hmac

import pandas as pd
import pytest
from _foundation import DEMO, KEY

from evalexp.load import load_cohort
from evalexp.pseudonym import pseudonymise


def test_pseudonym_is_the_truncated_hmac_sha256():
    expected = "ps_" + hmac.new(b"k", b"P000001", hashlib.sha256).hexdigest()[:16]
    assert pseudonymise(["P000001"], b"k").tolist() == [expected]


def test_same_key_same_pseudonyms():
    assert pseudonymise(["a", "b"], b"k").tolist() == pseudonymise(["a", "b"], b"k").tolist()


def test_different_keys_different_pseudonyms():
    assert set(pseudonymise(["a", "b"], b"k1")).isdisjoint(pseudonymise(["a", "b"], b"k2"))


def test_empty_key_is_refused():
    with pytest.raises(ValueError, match="must not be empty"):
        pseudonymise(["a"], b"")


def test_cohort_holds_no_raw_identifier(demo):
    raw_ids = set(pd.read_csv(DEMO, dtype=str)["participant_id"])
    assert raw_ids.isdisjoint(demo.data["participant_id"])
    text = demo.data.astype(str).to_csv() + " ".join(w.message for w in demo.warnings)
    assert not any(ident in text for ident in raw_ids)


def test_loading_twice_with_a_key_gives_the_same_pseudonyms(demo, demo_plan):
    again = load_cohort(DEMO, demo_plan, key=KEY)
    assert again.data["participant_id"].tolist() == demo.data["participant_id"].tolist()


def test_without_a_key_each_load_draws_a_new_one(demo_plan):
    first = load_cohort(DEMO, demo_plan).data["participant_id"]
    second = load_cohort(DEMO, demo_plan).data["participant_id"]
    assert set(first).isdisjoint(second)
