"""Everything the staff ticket page shows about one ticket: its timeline, photos, escalations and the people;
and a photo, to whoever may see its ticket."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from estate.core.rules import ServiceRules
from estate.residents.models import Estate, Resident, Unit
from estate.staff.models import Staff
from estate.tickets.models import Attachment, Escalation, Ticket, TicketEvent
from estate.tickets.queries import sla_badge, visible_ticket


@dataclass
class TicketDetail:
    ticket: Ticket
    events: list[Any]  # (TicketEvent, the acting staff member's name or None)
    photos: list[Attachment]
    escalations: list[Escalation]
    unit: Unit | None
    assignee: Staff | None
    tech: Staff | None
    resident: Resident | None
    estate: Estate | None
    badge: str
    due: datetime | None


async def _in_order(session: AsyncSession, model: Any, ticket_id: int) -> list[Any]:
    rows = await session.execute(select(model).where(model.ticket_id == ticket_id).order_by(model.id))
    return list(rows.scalars())


async def ticket_detail(
    session: AsyncSession, ticket: Ticket, *, now: datetime, rules: ServiceRules
) -> TicketDetail:
    """The ticket with its events (and who acted), photos, escalations, unit, people, estate and SLA badge."""
    events = await session.execute(
        select(TicketEvent, Staff.display_name)
        .outerjoin(Staff, Staff.id == TicketEvent.staff_id)
        .where(TicketEvent.ticket_id == ticket.id)
        .order_by(TicketEvent.id)
    )
    badge, due = sla_badge(ticket, now, rules)
    return TicketDetail(
        ticket=ticket,
        events=list(events.all()),
        photos=await _in_order(session, Attachment, ticket.id),
        escalations=await _in_order(session, Escalation, ticket.id),
        unit=await session.get(Unit, ticket.unit_id) if ticket.unit_id else None,
        assignee=await session.get(Staff, ticket.assignee_id) if ticket.assignee_id else None,
        tech=await session.get(Staff, ticket.technician_id) if ticket.technician_id else None,
        resident=await session.get(Resident, ticket.resident_id) if ticket.resident_id else None,
        estate=await session.get(Estate, ticket.estate_id),
        badge=badge,
        due=due,
    )


async def visible_attachment(
    session: AsyncSession, *, viewer: Staff, attachment_id: int
) -> Attachment | None:
    """A ticket's photo if there is one; NotFound if its ticket is one `viewer` may not see."""
    row = await session.get(Attachment, attachment_id)
    if row is None or row.ticket_id is None:
        return None
    await visible_ticket(session, viewer=viewer, ticket_id=row.ticket_id)
    return row
