"""Recording an emergency on the first message that states it: a new urgent ticket, or the words added to the
one this chat raised a moment ago, with the reference and what to do now."""

from __future__ import annotations

from datetime import timedelta

from dialogs.base import Go
from dialogs.flows.emergency.advice import advice
from dialogs.steps import Emergency
from dialogs.turn import Turn
from estate.tickets.categories import category
from estate.tickets.create import create_ticket
from estate.tickets.messages import add_resident_message
from estate.tickets.models import Ticket, TicketKind, Urgency
from estate.tickets.queries import recent_urgent_ticket
from understanding import Understanding

SAME_EMERGENCY = timedelta(hours=2)  # a second alarm from the same chat within this adds to the first ticket


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
        + advice(turn, existing.category)
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
        rules=await turn.rules(),
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
            + advice(turn, code)
            + "\n"
            + turn.t("If anyone is in danger, call the centre at {phone}.", phone=phone)
        )
    else:
        turn.say(
            advice(turn, code)
            + "\n"
            + turn.t(
                "We have alerted the customer service centre (reference {ref}). Please call {phone} now so that we can reach you quickly.",
                ref=ticket.ref,
                phone=phone,
            )
        )
    return Go(Emergency.MORE)
