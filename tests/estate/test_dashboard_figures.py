"""The dashboard's figures, counted by the database, against the same figures computed here from the seed.

The tickets straddle local midnights (in Beijing and in New York, whose window holds the end of summer
time), the window's first instant, the end of today, two buildings, no building and another estate's
building; another estate's tickets and bills must not count.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from estate.billing.models import Bill
from estate.reporting.dashboard import dashboard
from estate.residents.models import Building, Estate, Unit
from estate.tickets.models import Survey, Ticket
from tests.support.factories import make_world

NOW = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)
KINDS = [("repair", "plumbing"), ("repair", "electrical"), ("complaint", "noise"), ("inquiry", "general")]


@dataclass
class Spec:
    created: datetime
    kind: str
    category: str
    building: int | None  # index into the buildings list, None for no building
    dispatch_due: datetime | None
    dispatched: datetime | None


def _edges(tz: ZoneInfo) -> list[datetime]:
    """Instants just around each local midnight of the window and its ends."""
    today = NOW.astimezone(tz).date()
    out = []
    for back in range(-1, 32):
        midnight = datetime.combine(today - timedelta(days=back), time(0), tzinfo=tz)
        out += [midnight, midnight - timedelta(seconds=1), midnight + timedelta(microseconds=1)]
    return out


def _specs(tz: ZoneInfo, n_buildings: int) -> list[Spec]:
    rng = random.Random(15)
    instants = _edges(tz) + [NOW - timedelta(minutes=rng.randrange(0, 60 * 24 * 34)) for _ in range(250)]
    specs = []
    for created in instants:
        kind, category = rng.choice(KINDS)
        due = rng.choice([None, created + timedelta(hours=1), NOW + timedelta(minutes=5)])
        dispatched = rng.choice(
            [None, None, created + timedelta(minutes=30), created + timedelta(hours=2), due]
        )
        specs.append(Spec(created, kind, category, rng.choice([None, *range(n_buildings)]), due, dispatched))
    return specs


def _expected(specs: list[Spec], names: list[str], tz: ZoneInfo) -> dict:
    today = NOW.astimezone(tz).date()
    first = today - timedelta(days=29)
    since = datetime.combine(first, time(0), tzinfo=tz)
    recent = [s for s in specs if s.created >= since]
    due = [
        s for s in recent if s.dispatch_due is not None and (s.dispatched is not None or s.dispatch_due < NOW)
    ]
    per_day = Counter(s.created.astimezone(tz).date() for s in recent)
    by_building = Counter(names[s.building] if s.building is not None else "-" for s in recent)
    return {
        "today_new": sum(1 for s in recent if s.created.astimezone(tz).date() >= today),
        "tickets_30d": len(recent),
        "complaints": sum(1 for s in recent if s.kind == "complaint"),
        "sla_due": len(due),
        "sla_met": sum(1 for s in due if s.dispatched is not None and s.dispatched <= s.dispatch_due),
        "per_day": [
            (first + timedelta(days=i), per_day.get(first + timedelta(days=i), 0)) for i in range(30)
        ],
        "by_category": Counter((s.kind, s.category) for s in recent),
        "by_building": dict(by_building),
    }


async def _other_estate(s) -> tuple[Estate, Building, Unit]:
    other = Estate(code="OT", name="Other", timezone="Asia/Shanghai")
    s.add(other)
    await s.flush()
    building = Building(estate_id=other.id, code="9", name="Other building")
    s.add(building)
    await s.flush()
    unit = Unit(estate_id=other.id, building_id=building.id, code="9-101", floor=1, area_m2=Decimal("70.00"))
    s.add(unit)
    await s.flush()
    return other, building, unit


def _ticket(i: int, estate_id: int, spec: Spec, building_id: int | None) -> Ticket:
    return Ticket(
        ref=f"T-{i:05d}",
        estate_id=estate_id,
        kind=spec.kind,
        category=spec.category,
        building_id=building_id,
        description="seeded",
        status="closed",
        created_at=spec.created,
        updated_at=spec.created,
        dispatch_due=spec.dispatch_due,
        dispatched_at=spec.dispatched,
    )


async def _seed_tickets(
    s, world, tz: ZoneInfo, other: Estate, other_building: Building
) -> tuple[list[Spec], list[str]]:
    second = Building(estate_id=world.estate.id, code="2", name="Building 2")
    s.add(second)
    await s.flush()
    # the third "building" of our estate's tickets is another estate's building: counted under "-"
    ids = [world.building.id, second.id, other_building.id]
    names = [world.building.name, second.name, "-"]
    specs = _specs(tz, len(ids))
    for i, spec in enumerate(specs):
        s.add(_ticket(i, world.estate.id, spec, None if spec.building is None else ids[spec.building]))
    for i, spec in enumerate(specs[:40]):  # another estate's tickets, at the same instants
        s.add(_ticket(10_000 + i, other.id, spec, other_building.id))
    await s.flush()
    return specs, names


async def _seed_bills(s, world, other_unit: Unit) -> dict[str, tuple[int, int]]:
    """Bills of eight months in our estate (two units) and in the other one; what our six months sum to."""
    second = Unit(
        estate_id=world.estate.id,
        building_id=world.building.id,
        code="1-102",
        floor=1,
        area_m2=Decimal("60.00"),
    )
    s.add(second)
    await s.flush()
    sums = {}
    for back in range(8):
        m = 2026 * 12 + 10 - back
        period = f"{m // 12:04d}-{m % 12 + 1:02d}"
        rows = [(world.unit.id, world.estate.id, 10_000 + back, 9_000 - back * 1000)]
        rows.append((second.id, world.estate.id, 5_000, 5_000 if back else 1_234))
        rows.append((other_unit.id, other_unit.estate_id, 70_000, 1))
        for unit_id, estate_id, amount, paid in rows:
            s.add(
                Bill(
                    unit_id=unit_id,
                    estate_id=estate_id,
                    period=period,
                    amount_cents=amount,
                    paid_cents=paid,
                    due_date=date(m // 12, m % 12 + 1, 15),
                    issued_at=NOW,
                )
            )
        sums[period] = (10_000 + back + 5_000, 9_000 - back * 1000 + (5_000 if back else 1_234))
    await s.flush()
    return sums


async def _seed_surveys(s, world, tz: ZoneInfo) -> tuple[int, int]:
    """Surveys just before and after the window's first instant, and after now; (answered, satisfied) inside."""
    since = datetime.combine(NOW.astimezone(tz).date() - timedelta(days=29), time(0), tzinfo=tz)
    ticket = (
        await s.execute(select(Ticket).where(Ticket.estate_id == world.estate.id).limit(1))
    ).scalar_one()
    answers = [(since - timedelta(seconds=1), 5), (since, 5), (NOW - timedelta(hours=1), 2), (NOW, 5)]
    for at, overall in answers:
        s.add(Survey(ticket_id=ticket.id, overall=overall, speed=3, attitude=3, answered_at=at))
    await s.flush()
    return 2, 1


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "America/New_York"])
async def test_dashboard_figures_equal_those_computed_from_the_seed(sessions, zone):
    tz = ZoneInfo(zone)
    async with sessions() as s, s.begin():
        world = await make_world(s, at=NOW - timedelta(days=60))
        other, other_building, other_unit = await _other_estate(s)
        specs, names = await _seed_tickets(s, world, tz, other, other_building)
        sums = await _seed_bills(s, world, other_unit)
        surveys = await _seed_surveys(s, world, tz)
        estate_id = world.estate.id
    expected = _expected(specs, names, tz)
    async with sessions() as s:
        d = await dashboard(s, estate_id=estate_id, now=NOW, tz=tz)
    assert (d.satisfaction.answered, d.satisfaction.satisfied) == surveys
    assert d.tickets_30d == expected["tickets_30d"] and d.tickets_30d > 200
    assert d.today_new == expected["today_new"] and d.today_new > 0
    assert d.complaints == expected["complaints"]
    assert (d.sla_due, d.sla_met) == (expected["sla_due"], expected["sla_met"])
    assert 0 < d.sla_met < d.sla_due
    assert d.per_day == expected["per_day"]
    assert {(k, c): n for k, c, n in d.by_category} == dict(expected["by_category"])
    assert [n for _, _, n in d.by_category] == sorted((n for _, _, n in d.by_category), reverse=True)
    assert dict(d.by_building) == expected["by_building"] and len(d.by_building) == 3
    assert [n for _, n in d.by_building] == sorted((n for _, n in d.by_building), reverse=True)
    months = ["2026-06", "2026-07", "2026-08", "2026-09", "2026-10", "2026-11"]
    assert [(r.period, r.due_cents, r.paid_cents, r.target) for r in d.collection_by_month] == [
        (p, *sums[p], 0.0) for p in months
    ]
    assert [(r.period, r.due_cents, r.paid_cents, r.target) for r in d.collection] == [
        (p, *sums[p], t) for p, t in zip(months[::-1], (0.8, 0.9, 1.0), strict=False)
    ]
