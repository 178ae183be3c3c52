"""The ticket status machine as one table, and the one `transition()` every ticket action goes through.

Each action names the statuses it may start from, the status it leads to (None: the status stays), the
timeline event it writes, the audit action recorded when staff act, and the message queued to the resident.
Pages ask `allowed_actions(ticket)` instead of repeating status lists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from estate.core.clock import Clock
from estate.core.errors import InvalidTransition
from estate.staff.audit import audit
from estate.tickets import notify
from estate.tickets.models import Ticket, TicketEvent, TicketStatus

S = TicketStatus
OPEN_STATUSES = (S.NEW, S.CLAIMED, S.DISPATCHED, S.IN_PROGRESS)
REOPENABLE = (S.RESOLVED, S.CALLBACK_DONE, S.CLOSED)


@dataclass(frozen=True)
class Transition:
    """One row of the status machine."""

    sources: tuple[str, ...]
    to: tuple[str, ...]  # the statuses it may lead to, the usual one first; () leaves the status alone
    event: str | None  # the timeline event's kind
    audit: str | None  # the audit action, recorded when a staff member acts
    notify: str | None  # the status message queued to the resident (a key of notify.STATUS_MESSAGES)


TRANSITIONS: dict[str, Transition] = {
    "claim": Transition((S.NEW,), (S.CLAIMED,), "claimed", "ticket.claim", S.CLAIMED),
    "dispatch": Transition(
        (S.NEW, S.CLAIMED, S.DISPATCHED), (S.DISPATCHED,), "dispatched", "ticket.dispatch", S.DISPATCHED
    ),
    "start": Transition((S.DISPATCHED,), (S.IN_PROGRESS,), "started", "ticket.start", S.IN_PROGRESS),
    "resolve": Transition(OPEN_STATUSES, (S.RESOLVED,), "resolved", "ticket.resolve", S.RESOLVED),
    # Back to the assignee when there is one, else (and always after a low rating) to the queue.
    "reopen": Transition(REOPENABLE, (S.CLAIMED, S.NEW), "reopened", "ticket.reopen", "reopened"),
    "close": Transition((S.RESOLVED, S.CALLBACK_DONE), (S.CLOSED,), "closed", "ticket.close", S.CLOSED),
    # The survey event is written by the callback itself; this only moves the status.
    "callback_done": Transition((S.RESOLVED,), (S.CALLBACK_DONE,), None, None, None),
    "reclassify": Transition(OPEN_STATUSES, (), "reclassified", "ticket.reclassify", None),
    "urge": Transition(OPEN_STATUSES, (), "urged", None, None),
}


def allowed_actions(ticket: Ticket) -> list[str]:
    """The actions the ticket's status allows, in the table's order (who may take them is the caller's rule)."""
    return [name for name, t in TRANSITIONS.items() if ticket.status in t.sources]


def check(ticket: Ticket, action: str) -> Transition:
    """The table's row for `action`; raises InvalidTransition when the ticket's status does not allow it."""
    row = TRANSITIONS[action]
    if ticket.status not in row.sources:
        raise InvalidTransition("bad_status", action=action, status=ticket.status, ref=ticket.ref)
    return row


async def record_event(
    session: AsyncSession,
    ticket: Ticket,
    *,
    at: datetime,
    kind: str,
    staff_id: int | None = None,
    resident_id: int | None = None,
    text: str | None = None,
    data: dict[str, Any] | None = None,
) -> TicketEvent:
    """Append an event to the ticket's timeline."""
    event = TicketEvent(
        ticket_id=ticket.id,
        at=at,
        kind=kind,
        staff_id=staff_id,
        resident_id=resident_id,
        text=text,
        data=data,
    )
    session.add(event)
    await session.flush()
    return event


async def transition(
    session: AsyncSession,
    ticket: Ticket,
    action: str,
    *,
    clock: Clock,
    staff_id: int | None = None,
    resident_id: int | None = None,
    to: str | None = None,
    changes: dict[str, Any] | None = None,
    text: str | None = None,
    data: dict[str, Any] | None = None,
    detail: dict[str, Any] | None = None,
) -> TicketEvent | None:
    """Take `action` on a (locked) ticket: check the status, apply `changes`, move the status, then write the
    timeline event, the audit record and the resident's message the table names. Returns the event."""
    row = check(ticket, action)
    if to is not None and to not in row.to:
        raise ValueError(f"{action} cannot lead to {to}")
    now = clock.now()
    for name, value in (changes or {}).items():
        setattr(ticket, name, value)
    if row.to:
        ticket.status = to or row.to[0]
    ticket.updated_at = now
    event = None
    if row.event:
        event = await record_event(
            session,
            ticket,
            at=now,
            kind=row.event,
            staff_id=staff_id,
            resident_id=resident_id,
            text=text,
            data=data,
        )
    if row.audit and staff_id is not None:
        await audit(
            session,
            clock=clock,
            staff_id=staff_id,
            action=row.audit,
            target_type="ticket",
            target_id=ticket.ref,
            detail=detail,
        )
    if row.notify and event is not None:
        await notify.notify_status(session, clock=clock, ticket=ticket, event=event, what=row.notify)
    return event
