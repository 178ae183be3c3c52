"""The staff queue: tickets by filter or search, SLA-first by default (emergencies and overdue work on top,
then the nearest deadline), a numbered page at a time with SLA badges and unread markers, and the choices
its filters offer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Select, and_, case, func, or_, select
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
    return stmt if found is None else stmt.where(found.condition)


def _ids(stmt: Select[Any], order: tuple[Any, ...], offset: int, limit: int) -> Select[Any]:
    return stmt.order_by(*order).offset(offset).limit(limit)


async def _page_ids(
    session: AsyncSession, ids: Select[Any], sort: str, offset: int, limit: int, *, few: bool = False
) -> list[int]:
    """The ticket ids of one page, in order. SLA-first: emergencies first, then every other ticket by the deadline
    that counts now (`sla_due`: overdue ones come first by nature), each part walked through `ix_tickets_sla`
    instead of sorting every open ticket; `few` (a search whose matches come from indexes) sorts the matches."""
    if sort in ("newest", "oldest"):
        order = (
            (Ticket.created_at.desc(), Ticket.id.desc())
            if sort == "newest"
            else (Ticket.created_at, Ticket.id)
        )
        return list((await session.execute(_ids(ids, order, offset, limit))).scalars())
    by_deadline = (Ticket.sla_due, Ticket.id)
    if few:
        urgent_first = case((Ticket.urgency == Urgency.URGENT, 0), else_=1)
        return list((await session.execute(_ids(ids, (urgent_first, *by_deadline), offset, limit))).scalars())
    urgent = ids.where(Ticket.urgency == Urgency.URGENT)
    n_urgent = (await session.execute(select(func.count()).select_from(urgent.subquery()))).scalar_one()
    found: list[int] = []
    if offset < n_urgent:
        found = list((await session.execute(_ids(urgent, by_deadline, offset, limit))).scalars())
    if len(found) < limit:
        normal = ids.where(Ticket.urgency == Urgency.NORMAL)
        rest = _ids(normal, by_deadline, max(0, offset - n_urgent), limit - len(found))
        found += list((await session.execute(rest)).scalars())
    return found


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
    if filters.page > MAX_PAGE:
        raise NotFound("page_not_found", page=filters.page)
    ids = _filtered(select(Ticket.id), viewer, filters, now, session.get_bind().dialect.name)
    offset = (max(filters.page, 1) - 1) * page_size
    searched = search_condition(filters.q, session.get_bind().dialect.name)
    few = searched is not None and searched.selective
    order = await _page_ids(session, ids, filters.sort, offset, page_size + 1, few=few)
    more = len(order) > page_size
    order = order[:page_size]
    stmt = (
        select(Ticket, Unit.code, Staff.display_name)
        .outerjoin(Unit, Unit.id == Ticket.unit_id)
        .outerjoin(Staff, Staff.id == Ticket.assignee_id)
        .where(Ticket.id.in_(order))
    )
    found = {t.id: (t, code, who) for t, code, who in (await session.execute(stmt)).all()}
    rows = [found[i] for i in order if i in found]
    activity = {t.id: t.resident_activity_at for t, _, _ in rows}
    new = await unread(session, staff_id=viewer.id, subject=TICKET, activity=activity)
    return [QueueRow(t, code, who, *sla_badge(t, now, rules), t.id in new) for t, code, who in rows], more


async def queue_choices(session: AsyncSession) -> tuple[list[Building], list[tuple[str, str]]]:
    """What the queue's filters offer: the buildings, and every category as (code, label msgid)."""
    buildings = (await session.execute(select(Building).order_by(Building.id))).scalars().all()
    return list(buildings), sorted({(c.code, c.label) for cats in CATEGORIES.values() for c in cats})
