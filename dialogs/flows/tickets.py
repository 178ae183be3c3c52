"""The resident's requests: the open and recent ones, one's progress, adding a message or photo, urging."""

from __future__ import annotations

from dialogs.base import STAY, Go, Step
from dialogs.choices import BACK, MENU, nav
from dialogs.flows.shared import add_to_ticket
from dialogs.registry import flow
from dialogs.steps import Menu, Tickets
from dialogs.turn import Turn
from dialogs.types import Choice, Event, number_choice
from estate.core.errors import RateLimited
from estate.tickets.models import Ticket, TicketStatus
from estate.tickets.notify import STATUS_LABELS
from estate.tickets.queries import list_tickets, timeline
from estate.tickets.transitions import OPEN_STATUSES, allowed_actions
from estate.tickets.urging import urge_ticket
from locales import N_

EVENTS = {
    "created": N_("Received"),
    "claimed": N_("Taken up by customer service"),
    "dispatched": N_("Passed to the technicians"),
    "started": N_("Work started"),
    "message_in": N_("Your message"),
    "message_out": N_("Our reply"),
    "resolved": N_("Resolved"),
    "reopened": N_("Reopened"),
    "closed": N_("Closed"),
    "urged": N_("You urged"),
    "escalated": N_("Escalated to a manager"),
    "survey": N_("Your rating"),
}


async def _current(turn: Turn) -> Ticket:
    """The ticket the resident is looking at (chosen from their own list)."""
    ticket = await turn.session.get(Ticket, turn.data["ticket"])
    assert ticket is not None
    return ticket


async def _own_ticket(turn: Turn, raw: str | None) -> Ticket | None:
    if raw is None or not raw.isdigit():
        return None
    ticket = await turn.session.get(Ticket, int(raw))
    return ticket if ticket is not None and ticket.resident_id == turn.me.id else None


async def list_prompt(turn: Turn) -> None:
    rows = await list_tickets(turn.session, resident_id=turn.me.id, limit=10)
    recent = [r for r in rows if r.status in OPEN_STATUSES or r.status == TicketStatus.RESOLVED][:8]
    if not recent:
        turn.say(turn.t("You have no open requests."), nav(turn.t, MENU))
        return
    turn.say(
        turn.t("Your requests — choose one to see its progress:"),
        [Choice(f"{r.ref} · {turn.t(STATUS_LABELS[r.status])}", f"tk:{r.id}") for r in recent]
        + nav(turn.t, MENU),
    )


async def list_handle(turn: Turn, event: Event) -> Go | None:
    if event.payload == MENU:
        return Go(Menu.START)
    ticket = await _own_ticket(turn, number_choice(event, "tk"))
    if ticket is None:
        return None
    turn.data["ticket"] = ticket.id
    return Go(Tickets.VIEW)


async def view_prompt(turn: Turn) -> None:
    t = turn.t
    ticket = await _current(turn)
    events = [e for e in await timeline(turn.session, ticket.id) if e.kind in EVENTS][-6:]
    lines = [t("{ref}: {status}", ref=ticket.ref, status=t(STATUS_LABELS[ticket.status])), ticket.description]
    lines += [
        f"  · {turn.local(e.at, '%m-%d %H:%M')} {t(EVENTS[e.kind])}"
        + (f": {e.text}" if e.text and e.kind in ("message_in", "message_out") else "")
        for e in events
    ]
    choices = [Choice(t("Add a message or photo"), "tka:msg")]
    if "urge" in allowed_actions(ticket):
        choices.append(Choice(t("Urge"), "tka:urge"))
    turn.say("\n".join(lines), choices + nav(t, BACK, MENU))


async def view_handle(turn: Turn, event: Event) -> Go | None:
    action = number_choice(event, "tka")
    if action == "msg":
        return Go(Tickets.MESSAGE)
    if action == "urge":
        ticket = await _current(turn)
        try:
            await urge_ticket(
                turn.session,
                clock=turn.ctx.clock,
                ticket_id=ticket.id,
                resident_id=turn.me.id,
                min_interval=(await turn.rules()).urge_interval,
            )
        except RateLimited as exc:
            turn.say(
                turn.t(
                    "You urged this request a short while ago. Please try again in {minutes} minutes.",
                    minutes=exc.params["minutes"],
                )
            )
            return STAY
        turn.say(
            turn.t("We have reminded the staff handling {ref}. Thank you for your patience.", ref=ticket.ref)
        )
        return STAY
    if event.payload == MENU:
        return Go(Menu.START)
    return None


async def message_prompt(turn: Turn) -> None:
    turn.say(turn.t("Type your message, or send a photo."), nav(turn.t, BACK), request_photo=True)


async def message_handle(turn: Turn, event: Event) -> Go | None:
    ticket = await _current(turn)
    if not await add_to_ticket(turn, ticket.id, event):
        return None
    turn.say(turn.t("Thank you, it has been added to {ref}. Our staff will see it.", ref=ticket.ref))
    return Go(Tickets.VIEW)


flow(
    Tickets,
    {
        Tickets.START: Step(list_prompt, list_handle),
        Tickets.VIEW: Step(view_prompt, view_handle),
        Tickets.MESSAGE: Step(message_prompt, message_handle),
    },
)
