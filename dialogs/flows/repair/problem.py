"""Repair, what: a category or the resident's own words, and a description when there were none."""

from __future__ import annotations

from dialogs.base import Go
from dialogs.choices import BACK, CANCEL, nav
from dialogs.flows.shared import category_choices
from dialogs.steps import Repair
from dialogs.turn import Turn
from dialogs.types import Event, number_choice, text_of
from dialogs.understand import category_of
from estate.tickets.categories import category
from estate.tickets.models import TicketKind


async def repair_start_prompt(turn: Turn) -> None:
    turn.say(
        turn.t("What needs repairing? Choose a category, or describe the problem in a few words."),
        category_choices(turn, TicketKind.REPAIR) + nav(turn.t, CANCEL),
    )


async def repair_start(turn: Turn, event: Event) -> Go | None:
    code = number_choice(event, "cat")
    text = text_of(event)
    if code is not None and category(TicketKind.REPAIR, code) is not None:
        turn.data["category"] = code
        return Go(Repair.LOCATION)
    if len(text) >= 2:  # an emergency never gets here: the engine has recorded it already
        turn.data.update(category=await category_of(turn, text, "repair") or "other", description=text)
        return Go(Repair.LOCATION)
    return None


async def description_prompt(turn: Turn) -> None:
    turn.say(turn.t("Please describe the problem."), nav(turn.t, BACK, CANCEL))


async def description_handle(turn: Turn, event: Event) -> Go | None:
    text = text_of(event)
    if len(text) < 2:
        return None
    turn.data["description"] = text
    return Go(Repair.PHOTOS)
