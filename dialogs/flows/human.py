"""A resident who asks for a person: their message goes to the staff as a recorded request, answered in the chat."""

from __future__ import annotations

from dialogs.base import Go, Step
from dialogs.choices import CANCEL, nav
from dialogs.registry import flow
from dialogs.steps import Human, Menu
from dialogs.turn import Turn
from dialogs.types import Event, text_of
from estate.tickets.create import create_ticket
from estate.tickets.models import TicketKind


async def human_prompt(turn: Turn) -> None:
    estate = await turn.estate()
    turn.say(
        turn.t(
            "Please type your message for our staff: it will be passed on at once and they will reply in this chat. You can also call the centre at {phone}.",
            phone=estate.phone if estate and estate.phone else "-",
        ),
        nav(turn.t, CANCEL),
    )


async def human_handle(turn: Turn, event: Event) -> Go | None:
    text = text_of(event)
    if len(text) < 2:
        return None
    estate = await turn.estate()
    assert estate is not None
    ticket = await create_ticket(
        turn.session,
        clock=turn.ctx.clock,
        estate_id=estate.id,
        kind=TicketKind.INQUIRY,
        category_code="general",
        description=text,
        resident_id=turn.resident.id if turn.resident else None,
        channel_account_id=turn.account.id,
        rules=await turn.rules(),
    )
    turn.say(
        turn.t("Your message has been passed on to our staff as {ref}. They will reply here.", ref=ticket.ref)
    )
    return Go(Menu.START)


flow(Human, {Human.START: Step(human_prompt, human_handle)}, needs_binding=False)
