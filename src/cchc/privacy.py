"""Pseudonymisation of personal data (Decree 13/2023/NĐ-CP).

The citizen ID becomes `citizen_key` = HMAC-SHA256(key, normalised ID), hex: the same person
gets the same key in every file and every night (so repeat applicants can be counted), and
without the key nobody can get back to the ID, not even by hashing all 10^12 possible IDs.
Names and phone numbers are not kept at all: nothing in the KPIs needs them.
"""

from __future__ import annotations

import hashlib
import hmac
import re

from cchc.settings import get_settings

# Vendors write the same ID as "001 085 012 345", "001-085-012345" or with a stray tab.
_SEPARATORS = re.compile(r"[\s.\-_/]+")


def normalise_citizen_id(value: str) -> str:
    return _SEPARATORS.sub("", value).upper()


class Pseudonymiser:
    """Keyed hashing of citizen IDs; build once per file (the keyed state is reused per value)."""

    def __init__(self, key: bytes | None = None) -> None:
        key = key if key is not None else get_settings().require_pseudonym_key()
        if not key:
            raise ValueError("empty pseudonym key")
        self._base = hmac.new(key, digestmod=hashlib.sha256)
        block = hashlib.sha256().block_size
        padded = (hashlib.sha256(key).digest() if len(key) > block else key).ljust(block, b"\0")
        self._inner = bytes(b ^ 0x36 for b in padded)
        self._outer = bytes(b ^ 0x5C for b in padded)

    def pads(self) -> tuple[bytes, bytes]:
        """HMAC's inner and outer padded keys (RFC 2104), so that the warehouse can compute the
        same keys with `sha256(outer || sha256(inner || id))` when it types a file itself. They
        are as secret as the key: the caller sets them for one transaction and never stores them."""
        return self._inner, self._outer

    def citizen_key(self, citizen_id: object) -> str | None:
        """The pseudonym of an ID, or None when there is no ID (empty or absent)."""
        if citizen_id is None:
            return None
        text = normalise_citizen_id(str(citizen_id))
        if not text:
            return None
        mac = self._base.copy()
        mac.update(text.encode("utf-8"))
        return mac.hexdigest()
