"""Figures for the supervisors' and managers' dashboard (DESIGN §3 targets: satisfaction 95 %, collection 80/90/100 %).

The database does the counting: one GROUP BY over the last 30 days of tickets (bucketed into the estate's
local days by comparing with each local midnight, which reads the same on SQLite and PostgreSQL), one for
the six months of collection, and one count each for the overdue tickets and the surveys.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, literal_column, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from estate.billing.collection import COLLECTION_TARGETS, CollectionRate, collection_by_month
from estate.core.rules import DEFAULT_RULES, ServiceRules
from estate.residents.models import Building
from estate.tickets.models import Ticket, TicketKind
from estate.tickets.queries import overdue_filter
from estate.tickets.satisfaction import Satisfaction, satisfaction_rate
from estate.tickets.transitions import OPEN_STATUSES

DAYS = 30  # the window of the daily figures, in local days ending today
MONTHS = 6  # the months of collection shown month by month


@dataclass
class Dashboard:
    today_new: int
    open_overdue: int
    sla_met: int
    sla_due: int
    satisfaction: Satisfaction
    complaints: int
    tickets_30d: int
    collection: list[CollectionRate]
    per_day: list[tuple[date, int]] = field(default_factory=list)
    by_category: list[tuple[str, str, int]] = field(default_factory=list)  # kind, category, count
    by_building: list[tuple[str, int]] = field(default_factory=list)
    collection_by_month: list[CollectionRate] = field(default_factory=list)

    @property
    def sla_compliance(self) -> float | None:
        """Share of tickets with a dispatch deadline in the last 30 days that were dispatched in time."""
        return self.sla_met / self.sla_due if self.sla_due else None

    @property
    def complaint_rate(self) -> float | None:
        return self.complaints / self.tickets_30d if self.tickets_30d else None


@dataclass
class _Tally:
    """The ticket counts of the window, folded from the grouped rows."""

    per_day: Counter[int] = field(default_factory=Counter)  # day index (0 = first day, DAYS = after today)
    by_category: Counter[tuple[str, str]] = field(default_factory=Counter)
    by_building: Counter[int | None] = field(default_factory=Counter)
    sla_due: int = 0
    sla_met: int = 0
    complaints: int = 0

    @property
    def total(self) -> int:
        return sum(self.per_day.values())


def local_midnights(first: date, days: int, tz: ZoneInfo) -> list[datetime]:
    """The local midnights starting each of `days` days from `first`, and the one ending the last."""
    return [datetime.combine(first + timedelta(days=i), time(0), tzinfo=tz) for i in range(days + 1)]


def _day_index(midnights: Sequence[datetime]) -> Any:
    """A SQL expression numbering a ticket's local day: 0 for the first, len-1 for on or after the last.

    The comparisons nest as a binary search, so each row costs about five of them rather than thirty.
    """

    def bucket(low: int, high: int) -> Any:  # the index among [low, high), given created_at >= midnights[low]
        if high - low == 1:
            return literal_column(str(low))
        middle = (low + high) // 2
        return case((Ticket.created_at < midnights[middle], bucket(low, middle)), else_=bucket(middle, high))

    return bucket(0, len(midnights))


async def _tally(
    session: AsyncSession, *, estate_id: int, midnights: list[datetime], now: datetime
) -> _Tally:
    """Count the tickets created since the first midnight, per local day, category, building and SLA."""
    due = and_(
        Ticket.dispatch_due.is_not(None), or_(Ticket.dispatched_at.is_not(None), Ticket.dispatch_due < now)
    )
    met = and_(Ticket.dispatch_due.is_not(None), Ticket.dispatched_at <= Ticket.dispatch_due)
    rows = (
        select(
            _day_index(midnights).label("day"),
            Ticket.kind,
            Ticket.category,
            Ticket.building_id,
            case((due, 1), else_=0).label("due"),
            case((met, 1), else_=0).label("met"),
        )
        .where(Ticket.estate_id == estate_id, Ticket.created_at >= midnights[0])
        .subquery()
    )
    grouped = select(
        rows.c.day,
        rows.c.kind,
        rows.c.category,
        rows.c.building_id,
        func.count(),
        func.sum(rows.c.due),
        func.sum(rows.c.met),
    ).group_by(rows.c.day, rows.c.kind, rows.c.category, rows.c.building_id)
    tally = _Tally()
    for day, kind, category, building_id, n, n_due, n_met in await session.execute(grouped):
        tally.per_day[int(day)] += n
        tally.by_category[(kind, category)] += n
        tally.by_building[building_id] += n
        tally.sla_due += int(n_due or 0)
        tally.sla_met += int(n_met or 0)
        tally.complaints += n if kind == TicketKind.COMPLAINT else 0
    return tally


async def _by_building(
    session: AsyncSession, estate_id: int, counts: Counter[int | None]
) -> list[tuple[str, int]]:
    """Counts per building name ("-" for none or another estate's), most first, then by name."""
    query = select(Building.id, Building.name).where(Building.estate_id == estate_id)
    names = {building_id: name for building_id, name in await session.execute(query)}
    named: Counter[str] = Counter()
    for building_id, n in counts.items():
        named[names.get(building_id or -1, "-")] += n
    return sorted(named.items(), key=lambda r: (-r[1], r[0]))


async def dashboard(
    session: AsyncSession, *, estate_id: int, now: datetime, tz: ZoneInfo, rules: ServiceRules = DEFAULT_RULES
) -> Dashboard:
    """All dashboard figures for the 30 days up to `now` (local days), the satisfaction target from `rules`."""
    today = now.astimezone(tz).date()
    midnights = local_midnights(today - timedelta(days=DAYS - 1), DAYS, tz)
    tally = await _tally(session, estate_id=estate_id, midnights=midnights, now=now)
    overdue = (
        await session.execute(
            select(func.count())
            .select_from(Ticket)
            # the status condition repeats what overdue_filter implies, so the index on open tickets serves it
            .where(Ticket.estate_id == estate_id, Ticket.status.in_(OPEN_STATUSES), overdue_filter(now))
        )
    ).scalar_one()
    months = await collection_by_month(
        session, estate_id=estate_id, as_of=today, months=MONTHS, targets=COLLECTION_TARGETS
    )
    return Dashboard(
        today_new=tally.per_day[DAYS - 1] + tally.per_day[DAYS],
        open_overdue=int(overdue),
        sla_met=tally.sla_met,
        sla_due=tally.sla_due,
        satisfaction=await satisfaction_rate(
            session, estate_id=estate_id, since=midnights[0], until=now, rules=rules
        ),
        complaints=tally.complaints,
        tickets_30d=tally.total,
        collection=months[: len(COLLECTION_TARGETS)],
        per_day=[(midnights[i].date(), tally.per_day[i]) for i in range(DAYS)],
        by_category=sorted(
            ((k, c, n) for (k, c), n in tally.by_category.items()), key=lambda r: (-r[2], r[0], r[1])
        ),
        by_building=await _by_building(session, estate_id, tally.by_building),
        collection_by_month=[
            CollectionRate(period=r.period, due_cents=r.due_cents, paid_cents=r.paid_cents, target=0.0)
            for r in reversed(months)
        ],
    )


def open_statuses() -> list[str]:
    return list(OPEN_STATUSES)
