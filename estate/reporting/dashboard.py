"""Figures for the supervisors' and managers' dashboard (DESIGN §3 targets: satisfaction 95 %, collection 80/90/100 %)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from estate.billing.collection import CollectionRate, collection_rate, collection_rates
from estate.billing.periods import period_of, shift
from estate.core.rules import DEFAULT_RULES, ServiceRules
from estate.residents.models import Building
from estate.tickets.models import Ticket, TicketKind
from estate.tickets.queries import overdue_filter
from estate.tickets.satisfaction import Satisfaction, satisfaction_rate
from estate.tickets.transitions import OPEN_STATUSES


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


async def dashboard(
    session: AsyncSession, *, estate_id: int, now: datetime, tz: ZoneInfo, rules: ServiceRules = DEFAULT_RULES
) -> Dashboard:
    """All dashboard figures for the 30 days up to `now` (local days), the satisfaction target from `rules`."""
    today = now.astimezone(tz).date()
    midnight = datetime.combine(today, time(0), tzinfo=tz)
    since = midnight - timedelta(days=29)
    in_estate = Ticket.estate_id == estate_id
    today_new = (
        await session.execute(
            select(func.count()).select_from(Ticket).where(in_estate, Ticket.created_at >= midnight)
        )
    ).scalar_one()
    overdue = (
        await session.execute(select(func.count()).select_from(Ticket).where(in_estate, overdue_filter(now)))
    ).scalar_one()
    recent = (
        (await session.execute(select(Ticket).where(in_estate, Ticket.created_at >= since))).scalars().all()
    )
    due = [
        (t.dispatch_due, t.dispatched_at)
        for t in recent
        if t.dispatch_due is not None and (t.dispatched_at is not None or t.dispatch_due < now)
    ]
    met = [1 for deadline, done in due if done is not None and done <= deadline]
    per_day_counter = Counter(t.created_at.astimezone(tz).date() for t in recent)
    buildings = {
        b.id: b.name
        for b in (await session.execute(select(Building).where(Building.estate_id == estate_id))).scalars()
    }
    by_building = Counter(buildings.get(t.building_id or -1, "-") for t in recent)
    current = period_of(today)
    return Dashboard(
        today_new=int(today_new),
        open_overdue=int(overdue),
        sla_met=len(met),
        sla_due=len(due),
        satisfaction=await satisfaction_rate(
            session, estate_id=estate_id, since=since, until=now, rules=rules
        ),
        complaints=sum(1 for t in recent if t.kind == TicketKind.COMPLAINT),
        tickets_30d=len(recent),
        collection=await collection_rates(session, estate_id=estate_id, as_of=today),
        per_day=[
            (since.date() + timedelta(days=i), per_day_counter.get(since.date() + timedelta(days=i), 0))
            for i in range(30)
        ],
        by_category=sorted(
            ((k, c, n) for (k, c), n in Counter((t.kind, t.category) for t in recent).items()),
            key=lambda r: -r[2],
        ),
        by_building=sorted(by_building.items(), key=lambda r: -r[1]),
        collection_by_month=[
            await collection_rate(session, estate_id=estate_id, period=shift(current, -i))
            for i in range(5, -1, -1)
        ],
    )


def open_statuses() -> list[str]:
    return list(OPEN_STATUSES)
