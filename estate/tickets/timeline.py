"""A ticket's append-only timeline, and `transition()`: the one way a ticket's status changes.

`transition()` applies a row of the status table (`estate.tickets.transitions`) to a ticket loaded with
`locked()`: it checks the status, applies the changes, then writes the timeline event, the audit record and
the resident's message the row names.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from estate.core.clock import Clock
from estate.core.errors import NotFound
from estate.staff.audit import audit
from estate.staff.models import Staff
from estate.tickets import notify
from estate.tickets.models import Ticket, TicketEvent
from estate.tickets.transitions import check, check_role


async def locked(session: AsyncSession, ticket_id: int) -> Ticket:
    """Load a ticket fresh from the database (and lock its row on PostgreSQL) for a state change."""
    stmt = select(Ticket).where(Ticket.id == ticket_id).execution_options(populate_existing=True)
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    ticket = (await session.execute(stmt)).scalar_one_or_none()
    if ticket is None:
        raise NotFound("ticket_not_found", ref=str(ticket_id))
    return ticket


async def record_event(
    session: AsyncSession, ticket: Ticket, *, at: datetime, kind: str, **fields: Any
) -> TicketEvent:
    """Append an event to the ticket's timeline (`fields`: staff_id, resident_id, text, data)."""
    event = TicketEvent(ticket_id=ticket.id, at=at, kind=kind, **fields)
    session.add(event)
    await session.flush()
    return event


async def audit_ticket(
    session: AsyncSession,
    *,
    clock: Clock,
    staff_id: int,
    action: str,
    ticket: Ticket,
    detail: dict[str, Any] | None = None,
) -> None:
    """Record in the audit log that a staff member did `action` to the ticket."""
    await audit(
        session,
        clock=clock,
        staff_id=staff_id,
        action=action,
        target_type="ticket",
        target_id=ticket.ref,
        detail=detail,
    )


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
    if staff_id is not None and row.leads_only_from:
        staff = await session.get(Staff, staff_id)
        check_role(ticket, action, staff.role if staff else "")
    if to is not None and to not in row.to:
        raise ValueError(f"{action} cannot lead to {to}")
    now = clock.now()
    for name, value in {**({row.stamp: now} if row.stamp else {}), **(changes or {})}.items():
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
        await audit_ticket(
            session, clock=clock, staff_id=staff_id, action=row.audit, ticket=ticket, detail=detail
        )
    if row.notify and event is not None:
        await notify.notify_status(session, clock=clock, ticket=ticket, event=event, what=row.notify)
    return event


async def take(
    session: AsyncSession,
    action: str,
    *,
    clock: Clock,
    ticket_id: int,
    staff_id: int,
    text: str | None = None,
) -> Ticket:
    """Lock the ticket and take `action` when the table's row says all there is to it."""
    ticket = await locked(session, ticket_id)
    await transition(session, ticket, action, clock=clock, staff_id=staff_id, text=text)
    return ticket
