"""Normalisation before anything else: traditional -> simplified, full-width -> half-width, case, spaces."""

from __future__ import annotations

import re
import unicodedata
from functools import cache

import opencc

_SPACES = re.compile(r"\s+")
_REPEATS = re.compile(r"([!?！？。.~～])\1+")


@cache
def _t2s() -> opencc.OpenCC:
    # Hong Kong and Taiwan wording both convert with t2s; phrase-level conversion (tw2sp) would also turn
    # Taiwanese words into mainland ones, which loses the signal of the original wording for nothing.
    return opencc.OpenCC("t2s")


def normalize(text: str) -> str:
    """The form the model sees: simplified characters, half-width, lower case, single spaces."""
    # Tone marks off pinyin ("wǒ jiā" -> "wo jia"), then full-width letters, digits and punctuation -> half-width.
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = unicodedata.normalize("NFKC", text)
    text = _t2s().convert(text)
    text = text.lower()
    text = _REPEATS.sub(r"\1", text)
    return _SPACES.sub(" ", text).strip()
