"""Keyed pseudonyms of participant identifiers.

A pseudonym is ``"ps_"`` followed by the first 16 hexadecimal digits (64 bits)
of HMAC-SHA256(key, identifier as UTF-8). The same key gives the same
pseudonym, so cohorts exported at different dates can be linked by whoever
holds the key; without the key a pseudonym cannot be traced back by trying
identifiers. With a random key (the default, :func:`new_key`) the pseudonyms
of one run cannot be linked to any other run.

Pseudonymisation is not anonymisation: under the GDPR (recital 26, art. 4(5))
pseudonymised data remain personal data, because the key holder, or anyone
combining the remaining attributes (dates, site, age), may re-identify a
person. Keep the key apart from the data, and never keep the national
identification number (NIR) in a cohort file.

With 64-bit pseudonyms the chance that two of 10^6 identifiers collide is
about 3e-8 (birthday bound n^2 / 2^65).
"""
from __future__ import annotations

import hmac
import secrets
from collections.abc import Iterable

import numpy as np

PREFIX = "ps_"
HEX_DIGITS = 16


def new_key() -> bytes:
    """A random 32-byte key, for pseudonyms that are stable only within one run."""
    return secrets.token_bytes(32)


def pseudonymise(identifiers: Iterable[str], key: bytes) -> np.ndarray:
    """Pseudonyms ``ps_<16 hex>`` of ``identifiers`` under ``key`` (HMAC-SHA256).

    Parameters
    ----------
    identifiers : iterable of str
        Raw participant identifiers.
    key : bytes
        Secret key; must not be empty.

    Returns
    -------
    numpy.ndarray of str, in the order of ``identifiers``.
    """
    if not key:
        raise ValueError("the pseudonym key must not be empty")
    return np.array([PREFIX + hmac.digest(key, str(ident).encode("utf-8"), "sha256").hex()[:HEX_DIGITS]
                     for ident in identifiers], dtype=object)
