"""The staff queue: tickets by filter, a keyset page at a time with SLA badges, and the choices its filters offer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from estate.core.rules import ServiceRules
from estate.residents.models import Building, Unit
from estate.staff.models import Role, Staff
from estate.tickets.categories import CATEGORIES
from estate.tickets.models import Ticket
from estate.tickets.queries import overdue_filter, sla_badge
from estate.tickets.transitions import OPEN_STATUSES


@dataclass(frozen=True)
class QueueFilters:
    """What the queue page asks for; empty means "any" (status "open" by default, "all" for every status)."""

    kind: str = ""
    status: str = "open"
    category: str = ""
    building: str = ""
    mine: bool = False
    overdue: bool = False
    sort: str = "newest"


class QueueRow(NamedTuple):
    ticket: Ticket
    unit_code: str | None
    assignee: str | None
    badge: str
    due: datetime | None


def _filtered(stmt: Select[Any], viewer: Staff, f: QueueFilters, now: datetime) -> Select[Any]:
    if viewer.role == Role.TECHNICIAN:
        stmt = stmt.where(Ticket.technician_id == viewer.id)  # technicians see only their own work
    if f.status == "open" or not f.status:
        stmt = stmt.where(Ticket.status.in_(list(OPEN_STATUSES)))
    elif f.status != "all":
        stmt = stmt.where(Ticket.status == f.status)
    if f.kind:
        stmt = stmt.where(Ticket.kind == f.kind)
    if f.category:
        stmt = stmt.where(Ticket.category == f.category)
    if f.building.isdigit():
        stmt = stmt.where(Ticket.building_id == int(f.building))
    if f.mine:
        stmt = stmt.where(or_(Ticket.assignee_id == viewer.id, Ticket.technician_id == viewer.id))
    if f.overdue:
        stmt = stmt.where(overdue_filter(now))
    return stmt


def _cursor(after: str) -> tuple[datetime, int] | None:
    """The (created_at, id) of a "next page" link; a mangled one is ignored (the first page is shown)."""
    at_raw, _, id_raw = (after or "").replace(" ", "+").rpartition("_")
    try:
        at = datetime.fromisoformat(at_raw)
    except ValueError:
        return None
    return (at, int(id_raw)) if id_raw.isdigit() and at.tzinfo is not None else None


def _after(stmt: Select[Any], after: str, newest_first: bool) -> Select[Any]:
    # Keyset pagination on (created_at, id): every page costs the same, however deep, on 100,000 tickets.
    cursor = _cursor(after)
    if cursor is None:
        return stmt
    at, tid = cursor
    if newest_first:
        return stmt.where(or_(Ticket.created_at < at, and_(Ticket.created_at == at, Ticket.id < tid)))
    return stmt.where(or_(Ticket.created_at > at, and_(Ticket.created_at == at, Ticket.id > tid)))


async def search_tickets(
    session: AsyncSession,
    *,
    viewer: Staff,
    filters: QueueFilters,
    after: str,
    now: datetime,
    rules: ServiceRules,
    page_size: int,
) -> tuple[list[QueueRow], str | None]:
    """One page of the queue as `viewer` may see it, and the cursor of the next page (None on the last)."""
    stmt = (
        select(Ticket, Unit.code, Staff.display_name)
        .outerjoin(Unit, Unit.id == Ticket.unit_id)
        .outerjoin(Staff, Staff.id == Ticket.assignee_id)
    )
    newest_first = filters.sort != "oldest"
    stmt = _after(_filtered(stmt, viewer, filters, now), after, newest_first)
    order = (Ticket.created_at.desc(), Ticket.id.desc()) if newest_first else (Ticket.created_at, Ticket.id)
    rows = (await session.execute(stmt.order_by(*order).limit(page_size + 1))).all()
    more = len(rows) > page_size
    rows = rows[:page_size]
    cursor = f"{rows[-1][0].created_at.isoformat()}_{rows[-1][0].id}" if more and rows else None
    return [QueueRow(t, code, who, *sla_badge(t, now, rules)) for t, code, who in rows], cursor


async def queue_choices(session: AsyncSession) -> tuple[list[Building], list[tuple[str, str]]]:
    """What the queue's filters offer: the buildings, and every category as (code, label msgid)."""
    buildings = (await session.execute(select(Building).order_by(Building.id))).scalars().all()
    return list(buildings), sorted({(c.code, c.label) for cats in CATEGORIES.values() for c in cats})
