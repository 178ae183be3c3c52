"""Repair, when: the time the technician may come, a window chosen or the resident's own words."""

from __future__ import annotations

from dialogs.base import Go
from dialogs.choices import BACK, CANCEL, nav
from dialogs.steps import Repair
from dialogs.turn import Turn
from dialogs.types import Choice, Event, number_choice, text_of
from locales import N_

WINDOWS = {
    "asap": N_("As soon as possible"),
    "morning": N_("This morning (9:00–12:00)"),
    "afternoon": N_("This afternoon (14:00–18:00)"),
    "evening": N_("This evening (18:00–20:00)"),
    "tomorrow": N_("Tomorrow"),
}


async def window_prompt(turn: Turn) -> None:
    turn.say(
        turn.t("When would you like the technician to come? Choose, or type a time that suits you."),
        [Choice(turn.t(label), f"win:{key}") for key, label in WINDOWS.items()] + nav(turn.t, BACK, CANCEL),
    )


async def window_handle(turn: Turn, event: Event) -> Go | None:
    key = number_choice(event, "win")
    if key in WINDOWS:
        turn.data["window"] = key
    elif len(text_of(event)) >= 2:
        turn.data["window"] = "text:" + text_of(event)
    else:
        return None
    return Go(Repair.CONFIRM)


def window_label(turn: Turn) -> str:
    window = turn.data.get("window") or "asap"
    return window[5:] if window.startswith("text:") else turn.t(WINDOWS[window])
