"""What waits for a staff member's attention (the bell in the console's header): new tickets, escalations to
their role, overdue callbacks, and residents a callback could not reach (escalated to their role)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from estate.staff.models import Role, Staff
from estate.tickets.callbacks import UNREACHABLE
from estate.tickets.models import CallbackStatus, CallbackTask, Escalation, Ticket, TicketStatus
from estate.tickets.transitions import OPEN_STATUSES


class BellCounts(NamedTuple):
    new: int
    escalations: int
    overdue: int
    unreached: int = 0


async def _count(session: AsyncSession, stmt: Select[Any]) -> int:
    return (await session.execute(stmt)).scalar_one()


async def bell_counts(session: AsyncSession, *, staff: Staff, now: datetime) -> BellCounts:
    """What waits for `staff`: new tickets (a technician: work dispatched to them), escalations to their role
    on open tickets, overdue callbacks, and unreachable callbacks escalated to their role whose ticket waits."""
    if staff.role == Role.TECHNICIAN:
        mine = (Ticket.technician_id == staff.id) & (Ticket.status == TicketStatus.DISPATCHED)
        return BellCounts(await _count(session, select(func.count()).select_from(Ticket).where(mine)), 0, 0)
    new = select(func.count()).select_from(Ticket).where(Ticket.status == TicketStatus.NEW)
    escalations = (
        select(func.count())
        .select_from(Escalation)
        .join(Ticket, Ticket.id == Escalation.ticket_id)
        .where(Escalation.to_role == staff.role, Ticket.status.in_(list(OPEN_STATUSES)))
    )
    overdue = (
        select(func.count())
        .select_from(CallbackTask)
        .where(CallbackTask.status == CallbackStatus.PENDING, CallbackTask.due_at < now)
    )
    unreached = (
        select(func.count())
        .select_from(CallbackTask)
        .join(Ticket, Ticket.id == CallbackTask.ticket_id)
        .join(Escalation, Escalation.ticket_id == Ticket.id)
        .where(
            CallbackTask.status == UNREACHABLE,
            Ticket.status == TicketStatus.RESOLVED,
            Escalation.reason == "callback_unreachable",
            Escalation.to_role == staff.role,
        )
    )
    return BellCounts(
        await _count(session, new),
        await _count(session, escalations),
        await _count(session, overdue),
        await _count(session, unreached),
    )
