"""Confirming a request (a repair, a complaint): the summary the resident checks, and Yes filing the ticket."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from dialogs.base import Go, Prompt, Step, Steps
from dialogs.choices import CANCEL, NO, YES, nav
from dialogs.flows.shared import estate_id
from dialogs.steps import Menu
from dialogs.turn import Turn
from dialogs.types import Event
from estate.tickets.categories import category
from estate.tickets.create import create_ticket
from estate.tickets.models import Ticket


def show_request(
    turn: Turn, heading: str, kind: str, details: list[str], *, more: tuple[str, ...] = ()
) -> None:
    """The summary to check: the heading, the category, the details, the photos and anything more."""
    t = turn.t
    cat = category(kind, turn.data.get("category", "other"))
    lines = [
        heading,
        t("Category: {category}", category=t(cat.label) if cat else "-"),
        *details,
        t("Photos: {n}", n=len(turn.data.get("photos", []))),
        *more,
    ]
    turn.say("\n".join(lines), nav(t, YES, NO, CANCEL))


async def file_request(turn: Turn, kind: str, description: str, **more: Any) -> Ticket:
    """The ticket for what the resident confirmed: its category, words and photos, from this chat."""
    return await create_ticket(
        turn.session,
        clock=turn.ctx.clock,
        estate_id=await estate_id(turn),
        kind=kind,
        category_code=turn.data.get("category") or "other",
        description=description,
        resident_id=turn.me.id,
        channel_account_id=turn.account.id,
        attachment_ids=turn.data.get("photos", []),
        rules=await turn.rules(),
        **more,
    )


def confirm_step(prompt: Prompt, *, again: Steps, file: Callable[[Turn], Awaitable[None]]) -> Step:
    """Yes files the request (`file` says what was registered) and returns to the menu; No starts again."""

    async def handle(turn: Turn, event: Event) -> Go | None:
        if event.payload == NO:
            return Go(again)
        if event.payload != YES:
            return None
        await file(turn)
        return Go(Menu.START)

    return Step(prompt, handle)
