"""Free text at the menu routed by intent: a repair with its category, a complaint, fees, bookings."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

INTENT_ORDER = ("complaint", "fees", "booking", "tickets", "repair")


@cache
def _data() -> dict:
    return tomllib.loads((Path(__file__).parent / "data" / "intents.toml").read_text(encoding="utf-8"))


def _has(text: str, words: list[str]) -> bool:
    low = text.lower()
    return any(w.lower() in low for w in words)


@dataclass(frozen=True)
class Intent:
    name: str | None  # greeting | complaint | fees | booking | tickets | repair | None
    category: str | None = None
    urgent: bool = False


def repair_category(text: str) -> str | None:
    """The repair category the words suggest, or None."""
    for code, words in _data()["categories"].items():
        if _has(text, words):
            return code
    return None


def is_urgent(text: str) -> bool:
    """True when the text mentions an emergency (a leak, a power cut, gas, someone trapped …)."""
    return _has(text, _data()["urgent"]["words"])


def detect(text: str) -> Intent:
    """What a resident typed at the menu most likely asks for."""
    intents = _data()["intents"]
    short = text.strip().lower().rstrip("!！。.?？")
    if short in {w.lower() for w in intents["greeting"]}:
        return Intent("greeting")
    for name in INTENT_ORDER:
        if _has(text, intents[name]):
            if name == "repair":
                return Intent("repair", repair_category(text) or "other", is_urgent(text))
            return Intent(name)
    category = repair_category(text)
    if category is not None:
        return Intent("repair", category, is_urgent(text))
    return Intent(None)
