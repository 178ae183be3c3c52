"""Choices shared by every flow, in one place."""

from __future__ import annotations

from dialogs.types import Choice
from locales import N_, Translator

BACK = "nav:back"
CANCEL = "nav:cancel"
MENU = "nav:menu"
YES = "nav:yes"
NO = "nav:no"
SKIP = "nav:skip"
DONE = "nav:done"

LABELS = {
    BACK: N_("Back"),
    CANCEL: N_("Cancel"),
    MENU: N_("Main menu"),
    YES: N_("Confirm"),
    NO: N_("Change"),
    SKIP: N_("Skip"),
    DONE: N_("Done"),
}


def nav(t: Translator, *payloads: str) -> list[Choice]:
    """The shared navigation choices, labelled in the resident's language."""
    return [Choice(t(LABELS[p]), p) for p in payloads]
