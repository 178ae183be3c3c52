"""The staff queue: tickets by filter or search, SLA-first by default (emergencies and overdue work on top,
then the nearest deadline), a numbered page at a time with SLA badges and unread markers, and the choices
its filters offer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Select, and_, case, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from estate.activity.reads import TICKET, unread
from estate.core.errors import NotFound
from estate.core.rules import ServiceRules
from estate.residents.models import Building, Unit
from estate.staff.models import Role, Staff
from estate.tickets.categories import CATEGORIES
from estate.tickets.models import Ticket, TicketStatus, Urgency
from estate.tickets.queries import overdue_filter, sla_badge
from estate.tickets.search import search_condition
from estate.tickets.transitions import OPEN_STATUSES

SORTS = ("sla", "newest", "oldest")
MAX_PAGE = 10_000  # deeper than anyone pages: a larger page number is an address the queue does not have


@dataclass(frozen=True)
class QueueFilters:
    """What the queue page asks for; empty means "any" (status "open" by default, "all" for every status).
    `q` is the search box; `page` counts from 1."""

    kind: str = ""
    status: str = "open"
    category: str = ""
    building: str = ""
    mine: bool = False
    overdue: bool = False
    sort: str = "sla"
    q: str = ""
    page: int = 1


class QueueRow(NamedTuple):
    ticket: Ticket
    unit_code: str | None
    assignee: str | None
    badge: str
    due: datetime | None
    unread: bool


def technician_scope(viewer: Staff) -> Any:
    """A technician's work: tickets dispatched to them, and their department's tickets with no technician yet."""
    pool = and_(
        Ticket.technician_id.is_(None),
        Ticket.department == viewer.department,
        Ticket.status == TicketStatus.DISPATCHED,
    )
    return (
        or_(Ticket.technician_id == viewer.id, pool)
        if viewer.department
        else Ticket.technician_id == viewer.id
    )


def _filtered(stmt: Select[Any], viewer: Staff, f: QueueFilters, now: datetime, dialect: str) -> Select[Any]:
    if viewer.role == Role.TECHNICIAN:
        stmt = stmt.where(technician_scope(viewer))
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
    found = search_condition(f.q, dialect)
    return stmt if found is None else stmt.where(found)


def sla_order(now: datetime) -> tuple[Any, ...]:
    """Emergencies and overdue tickets first, then the nearest deadline that counts now, then the oldest."""
    waiting = Ticket.status.in_([TicketStatus.NEW, TicketStatus.CLAIMED])
    still_open = Ticket.status.in_(list(OPEN_STATUSES))
    undispatched = and_(waiting, Ticket.dispatch_due.is_not(None))  # an inquiry has only its reply deadline
    due = case((undispatched, Ticket.dispatch_due), (still_open, Ticket.resolve_due), else_=None)
    hot = or_(and_(Ticket.urgency == Urgency.URGENT, still_open), overdue_filter(now))
    return (case((hot, 0), else_=1), case((due.is_(None), 1), else_=0), due, Ticket.created_at, Ticket.id)


def _order(sort: str, now: datetime) -> tuple[Any, ...]:
    if sort == "newest":
        return (Ticket.created_at.desc(), Ticket.id.desc())
    if sort == "oldest":
        return (Ticket.created_at, Ticket.id)
    return sla_order(now)


async def search_tickets(
    session: AsyncSession,
    *,
    viewer: Staff,
    filters: QueueFilters,
    now: datetime,
    rules: ServiceRules,
    page_size: int,
) -> tuple[list[QueueRow], bool]:
    """One page of the queue as `viewer` may see it, and whether a next page exists."""
    stmt = (
        select(Ticket, Unit.code, Staff.display_name)
        .outerjoin(Unit, Unit.id == Ticket.unit_id)
        .outerjoin(Staff, Staff.id == Ticket.assignee_id)
    )
    dialect = session.get_bind().dialect.name
    stmt = _filtered(stmt, viewer, filters, now, dialect).order_by(*_order(filters.sort, now))
    if filters.page > MAX_PAGE:
        raise NotFound("page_not_found", page=filters.page)
    page = max(filters.page, 1)
    rows = (await session.execute(stmt.offset((page - 1) * page_size).limit(page_size + 1))).all()
    more = len(rows) > page_size
    rows = rows[:page_size]
    activity = {t.id: t.resident_activity_at for t, _, _ in rows}
    new = await unread(session, staff_id=viewer.id, subject=TICKET, activity=activity)
    return [QueueRow(t, code, who, *sla_badge(t, now, rules), t.id in new) for t, code, who in rows], more


async def queue_choices(session: AsyncSession) -> tuple[list[Building], list[tuple[str, str]]]:
    """What the queue's filters offer: the buildings, and every category as (code, label msgid)."""
    buildings = (await session.execute(select(Building).order_by(Building.id))).scalars().all()
    return list(buildings), sorted({(c.code, c.label) for cats in CATEGORIES.values() for c in cats})
