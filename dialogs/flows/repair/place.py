"""Repair, where: in the resident's home or a common area, and then exactly where."""

from __future__ import annotations

from dialogs.base import Go
from dialogs.choices import BACK, CANCEL, nav
from dialogs.steps import Repair
from dialogs.turn import Turn
from dialogs.types import Choice, Event, number_choice, text_of


async def location_prompt(turn: Turn) -> None:
    unit = await turn.unit()
    turn.say(
        turn.t("Where is the problem?"),
        [
            Choice(turn.t("In my home ({unit})", unit=unit.code if unit else ""), "loc:home"),
            Choice(turn.t("In a common area"), "loc:common"),
        ]
        + nav(turn.t, BACK, CANCEL),
    )


def _after_location(turn: Turn) -> Go:
    return Go(Repair.PHOTOS if turn.data.get("description") else Repair.DESCRIPTION)


async def location_handle(turn: Turn, event: Event) -> Go | None:
    where = number_choice(event, "loc")
    if where == "home":
        turn.data["where"] = None
        return _after_location(turn)
    if where == "common":
        return Go(Repair.WHERE)
    return None


async def where_prompt(turn: Turn) -> None:
    turn.say(
        turn.t('Please tell us exactly where, for example "Building 3, lift lobby on the ground floor".'),
        nav(turn.t, BACK, CANCEL),
    )


async def where_handle(turn: Turn, event: Event) -> Go | None:
    text = text_of(event)
    if len(text) < 2:
        return None
    turn.data["where"] = text
    return _after_location(turn)
