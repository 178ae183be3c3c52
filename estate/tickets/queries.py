"""Reading tickets: look-up by reference or id (and as a staff member may see them), the staff lists, a ticket's
timeline, what is overdue and its SLA badge."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from estate.core.errors import NotFound
from estate.core.rules import DEFAULT_RULES, ServiceRules
from estate.staff.models import Role, Staff
from estate.tickets.models import (
    Ticket,
    TicketEvent,
    TicketStatus,
    Urgency,
)
from estate.tickets.transitions import OPEN_STATUSES

S = TicketStatus


async def get_ticket(session: AsyncSession, ref_or_id: str | int) -> Ticket:
    """A ticket by its id or reference number; raises NotFound."""
    if isinstance(ref_or_id, int) or str(ref_or_id).isdigit():
        ticket = await session.get(Ticket, int(ref_or_id))
    else:
        ticket = (
            await session.execute(select(Ticket).where(Ticket.ref == str(ref_or_id).upper()))
        ).scalar_one_or_none()
    if ticket is None:
        raise NotFound("ticket_not_found", ref=str(ref_or_id))
    return ticket


async def visible_ticket(session: AsyncSession, *, viewer: Staff, ticket_id: int) -> Ticket:
    """The ticket if `viewer` may see it (technicians see only their own work and their department's pool);
    raises NotFound otherwise."""
    ticket = await session.get(Ticket, ticket_id)
    if ticket is None or (viewer.role == Role.TECHNICIAN and not technicians_work(ticket, viewer)):
        raise NotFound("ticket_not_found")
    return ticket


def technicians_work(ticket: Ticket, viewer: Staff) -> bool:
    """Dispatched to this technician, or to their department with no technician named yet (the queue's
    `technician_scope` in SQL)."""
    if ticket.technician_id is not None:
        return ticket.technician_id == viewer.id
    return ticket.status == S.DISPATCHED and viewer.department is not None and ticket.department == viewer.department


async def list_tickets(
    session: AsyncSession,
    *,
    estate_id: int | None = None,
    resident_id: int | None = None,
    statuses: Sequence[str] | None = None,
    kind: str | None = None,
    limit: int = 50,
) -> list[Ticket]:
    """Tickets, newest first, filtered as asked."""
    stmt = select(Ticket).order_by(Ticket.created_at.desc(), Ticket.id.desc()).limit(limit)
    if estate_id is not None:
        stmt = stmt.where(Ticket.estate_id == estate_id)
    if resident_id is not None:
        stmt = stmt.where(Ticket.resident_id == resident_id)
    if statuses:
        stmt = stmt.where(Ticket.status.in_(list(statuses)))
    if kind:
        stmt = stmt.where(Ticket.kind == kind)
    return list((await session.execute(stmt)).scalars())


async def timeline(session: AsyncSession, ticket_id: int) -> list[TicketEvent]:
    """The ticket's events in order."""
    rows = await session.execute(
        select(TicketEvent).where(TicketEvent.ticket_id == ticket_id).order_by(TicketEvent.id)
    )
    return list(rows.scalars())


def is_overdue(ticket: Ticket, now: datetime) -> bool:
    """Past its dispatch deadline while undispatched, or past its resolve deadline while open."""
    if ticket.status in (S.NEW, S.CLAIMED) and ticket.dispatch_due is not None and now > ticket.dispatch_due:
        return True
    return ticket.status in OPEN_STATUSES and ticket.resolve_due is not None and now > ticket.resolve_due


def overdue_filter(now: datetime) -> Any:
    """A SQL condition equal to `is_overdue`, for queue filters and counts."""
    return or_(
        (Ticket.status.in_([S.NEW, S.CLAIMED])) & (Ticket.dispatch_due < now),
        (Ticket.status.in_(list(OPEN_STATUSES))) & (Ticket.resolve_due < now),
    )


def sla_badge(
    ticket: Ticket, now: datetime, rules: ServiceRules = DEFAULT_RULES
) -> tuple[str, datetime | None]:
    """(ok | near | breached | none, the deadline that counts now)."""
    due = (
        ticket.dispatch_due
        if ticket.status in (S.NEW, S.CLAIMED) and ticket.dispatch_due is not None
        else ticket.resolve_due
        if ticket.status in OPEN_STATUSES
        else None
    )
    if due is None:
        return "none", None
    if now > due:
        return "breached", due
    if due - now <= rules.near_breach:
        return "near", due
    return "ok", due


async def recent_urgent_ticket(
    session: AsyncSession, *, channel_account_id: int, since: datetime
) -> Ticket | None:
    """The chat's open urgent ticket opened since `since`, so that a second alarm adds to it."""
    return (
        await session.execute(
            select(Ticket)
            .where(
                Ticket.channel_account_id == channel_account_id,
                Ticket.urgency == Urgency.URGENT,
                Ticket.status.in_(list(OPEN_STATUSES)),
                Ticket.created_at >= since,
            )
            .order_by(Ticket.id.desc())
            .limit(1)
        )
    ).scalar_one_or_none()
