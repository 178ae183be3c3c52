"""Emergencies are recorded on the first message that states them, wherever it is said, bound chat or not.

A bound resident gets an urgent ticket at once, with its reference and dispatch deadline in the reply; an
unbound chat gets safety advice and the centre's phone number, and staff get an urgent, unverified ticket
carrying the words and the chat to answer. Whatever follows (photos, the exact place) is added to that ticket.
"""

from __future__ import annotations

from datetime import timedelta

from dialogs.base import STAY, Go, Step
from dialogs.choices import CANCEL, DONE, MENU, nav
from dialogs.flows.shared import add_to_ticket
from dialogs.registry import flow
from dialogs.steps import Emergency, Menu
from dialogs.turn import Turn
from dialogs.types import Event
from estate.tickets.categories import category
from estate.tickets.create import create_ticket
from estate.tickets.messages import add_resident_message
from estate.tickets.models import Ticket, TicketKind, Urgency
from estate.tickets.queries import recent_urgent_ticket
from locales import N_
from understanding import Understanding

SAME_EMERGENCY = timedelta(hours=2)  # a second alarm from the same chat within this adds to the first ticket

ADVICE = {
    "gas_smell": N_(
        "Do not switch lights or appliances on or off and do not use a flame; open the windows, close the gas valve if you can, and leave the home."
    ),
    "water_leak": N_(
        "If you can, close your home's main water valve and switch off the power of anything that is getting wet."
    ),
    "power_cut": N_(
        "Please keep away from wires and the fuse box, and do not touch them with wet hands. If only your home is dark, check whether the main switch has tripped."
    ),
    "lift_entrapment": N_(
        "Please stay calm, press the alarm button in the lift and do not try to force the doors open."
    ),
    "electrical": N_(
        "Please switch off the power at the fuse box if it is safe to do so, and keep away from the sparks or smoke."
    ),
}
FIRE_ADVICE = N_("If there is fire or smoke, leave at once by the stairs (never the lift) and call 119.")


def _advice(turn: Turn, category_code: str | None) -> str:
    return turn.t(ADVICE.get(category_code or "", FIRE_ADVICE))


async def _phone(turn: Turn) -> str:
    estate = await turn.estate()
    return estate.phone if estate and estate.phone else "-"


async def _add_to(turn: Turn, existing: Ticket, text: str) -> Go:
    """A second alarm a moment after the first: it goes to the ticket already raised."""
    await add_resident_message(
        turn.session,
        clock=turn.ctx.clock,
        ticket_id=existing.id,
        resident_id=turn.resident.id if turn.resident else None,
        text=text,
    )
    turn.data.clear()
    turn.data["ticket"] = existing.id
    turn.say(
        turn.t("Added to your urgent report {ref}. Our staff can see it now.", ref=existing.ref)
        + "\n"
        + _advice(turn, existing.category)
    )
    return Go(Emergency.MORE)


async def record(turn: Turn, found: Understanding) -> Go:
    """Record the emergency now (or add to the one this chat reported a moment ago) and say what to do."""
    text = found.text.strip()
    existing = await recent_urgent_ticket(
        turn.session, channel_account_id=turn.account.id, since=turn.now - SAME_EMERGENCY
    )
    if existing is not None:
        return await _add_to(turn, existing, text)
    estate = await turn.estate()
    assert estate is not None  # an installation always has its estate
    code = found.category if found.category and category(TicketKind.REPAIR, found.category) else "other"
    ticket = await create_ticket(
        turn.session,
        clock=turn.ctx.clock,
        estate_id=estate.id,
        kind=TicketKind.REPAIR,
        category_code=code,
        description=text,
        resident_id=turn.resident.id if turn.resident else None,
        urgency=Urgency.URGENT,
        channel_account_id=turn.account.id,
        rules=turn.ctx.rules,
    )
    turn.data.clear()
    turn.data["ticket"] = ticket.id
    phone = await _phone(turn)
    if turn.resident is not None:
        turn.say(
            turn.t(
                "We have recorded this as an urgent repair: {ref}. It will be passed to our technicians by {deadline}.",
                ref=ticket.ref,
                deadline=turn.local(ticket.dispatch_due) if ticket.dispatch_due else "-",
            )
            + "\n"
            + _advice(turn, code)
            + "\n"
            + turn.t("If anyone is in danger, call the centre at {phone}.", phone=phone)
        )
    else:
        turn.say(
            _advice(turn, code)
            + "\n"
            + turn.t(
                "We have alerted the customer service centre (reference {ref}). Please call {phone} now so that we can reach you quickly.",
                ref=ticket.ref,
                phone=phone,
            )
        )
    return Go(Emergency.MORE)


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
