"""Emergencies are recorded on the first message that states them, wherever it is said, bound chat or not.

A bound resident gets an urgent ticket at once, with its reference and dispatch deadline in the reply; an
unbound chat gets safety advice and the centre's phone number, and staff get an urgent, unverified ticket
carrying the words and the chat to answer. Whatever follows (photos, the exact place) is added to that ticket.

Modules: `recording` (the ticket), `advice` (what to do now); the flow's one step is here.
"""

from __future__ import annotations

from dialogs.base import STAY, Go, Step
from dialogs.choices import CANCEL, DONE, MENU, nav
from dialogs.flows.shared import add_to_ticket
from dialogs.registry import flow
from dialogs.steps import Emergency, Menu
from dialogs.turn import Turn
from dialogs.types import Event
from estate.tickets.models import Ticket


async def _ticket(turn: Turn) -> Ticket | None:
    ticket_id = turn.data.get("ticket")
    ticket = await turn.session.get(Ticket, ticket_id) if ticket_id else None
    if ticket is None or ticket.channel_account_id != turn.account.id:
        return None
    return ticket


async def more_prompt(turn: Turn) -> None:
    turn.say(
        turn.t(
            "If you can, tell us exactly where it is (building, unit, floor) or send a photo; it will be added to the report. Tap Done when you have finished."
        ),
        nav(turn.t, DONE),
        request_photo=turn.resident is not None,
    )


async def more_handle(turn: Turn, event: Event) -> Go | None:
    ticket = await _ticket(turn)
    if ticket is None or event.payload in (DONE, MENU, CANCEL):
        if ticket is not None:
            turn.say(
                turn.t(
                    "Your urgent report {ref} stays with our staff until it is dealt with.", ref=ticket.ref
                )
            )
        return Go(Menu.START)
    if not await add_to_ticket(turn, ticket.id, event):
        return None
    turn.say(
        turn.t("Thank you, it has been added to {ref}. Our staff will see it.", ref=ticket.ref),
        nav(turn.t, DONE),
    )
    return STAY


flow(
    Emergency,
    {Emergency.START: Step(more_prompt, more_handle), Emergency.MORE: Step(more_prompt, more_handle)},
    needs_binding=False,
)
