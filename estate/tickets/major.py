"""Major complaints (重大投诉): an agent marks an open complaint major and it goes to the supervisor at once
(DESIGN §3), as a complaint filed as major does when it is created (`estate.tickets.create`)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from estate.core.clock import Clock
from estate.core.errors import InvalidTransition, ValidationFailed
from estate.tickets.escalation import escalate
from estate.tickets.models import Ticket, TicketKind
from estate.tickets.timeline import audit_ticket, locked, record_event
from estate.tickets.transitions import OPEN_STATUSES


def may_mark_major(ticket: Ticket) -> bool:
    """An open complaint not marked major yet."""
    return ticket.kind == TicketKind.COMPLAINT and not ticket.major and ticket.status in OPEN_STATUSES


async def mark_major(session: AsyncSession, *, clock: Clock, ticket_id: int, staff_id: int) -> Ticket:
    """Mark the complaint major: the supervisor gets the escalation at once; on the timeline and audited."""
    ticket = await locked(session, ticket_id)
    if ticket.kind != TicketKind.COMPLAINT:
        raise ValidationFailed("major_complaints_only")
    if ticket.major:
        raise InvalidTransition("major_already")
    if ticket.status not in OPEN_STATUSES:
        raise InvalidTransition("bad_status")
    now = clock.now()
    ticket.major = True
    ticket.updated_at = now
    await record_event(session, ticket, at=now, kind="marked_major", staff_id=staff_id)
    await escalate(session, ticket, at=now, level=1, reason="major")
    await audit_ticket(session, clock=clock, staff_id=staff_id, action="ticket.major", ticket=ticket)
    return ticket
