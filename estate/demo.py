"""The demo estate: one estate of ~300 units with residents, staff of every role, fees, three months of
bills with realistic arrears, a paid-service catalogue with slots, tickets in every status and a notice.

Deterministic (a fixed random seed; times relative to now) and idempotent: a second run creates
nothing new, except that staff passwords are set again (so a changed DESK_DEMO_PASSWORD works) and
service slots are topped up for the next 14 days.
"""

from __future__ import annotations

import random
import tomllib
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select

from estate.billing.bills import generate_monthly_bills
from estate.billing.models import Bill, FeeItem, UnitFee
from estate.billing.money import yuan_to_cents
from estate.billing.payments import record_payment
from estate.billing.periods import local_date, period_of, shift
from estate.bookings.models import ServiceItem
from estate.bookings.slots import ensure_slots
from estate.core.clock import FixedClock
from estate.core.context import Context
from estate.core.db import unit_of_work
from estate.messaging.models import ChannelAccount
from estate.messaging.notices import create_notice, publish_notice
from estate.residents.codes import issue_binding_code
from estate.residents.models import Building, Estate, Resident, Unit
from estate.staff.models import Staff
from estate.staff.passwords import hash_password
from estate.staff.service import create_staff
from estate.tickets import callbacks
from estate.tickets import service as tickets

DATA = Path(__file__).parent / "data" / "demo.toml"
SEED = 20261122


@dataclass
class DemoInfo:
    estate_name: str
    created: bool
    staff: list[tuple[str, str, str]]  # username, display name, role
    binding_unit: str
    binding_code: str


def _data() -> dict:
    return tomllib.loads(DATA.read_text(encoding="utf-8"))


async def seed_demo(ctx: Context, *, password: str) -> DemoInfo:
    """Seed the demo estate once; on later runs refresh staff passwords and slots. Returns what to print."""
    data = _data()
    clock = ctx.clock
    async with unit_of_work(ctx.sessions) as s:
        estate = (
            await s.execute(select(Estate).where(Estate.code == data["estate"]["code"]))
        ).scalar_one_or_none()
        created = estate is None
        if estate is None:
            estate = await _structure(s, data, clock)
        await _staff(s, data, clock, estate.id, password)
    if created:
        await _bills(ctx, data, estate.id)
        await _tickets(ctx, data, estate.id)
        async with unit_of_work(ctx.sessions) as s:
            notice = await create_notice(
                s,
                clock=clock,
                estate_id=estate.id,
                title=data["notice"]["title"],
                body=data["notice"]["body"],
            )
            await publish_notice(s, clock=clock, notice_id=notice.id)
    async with unit_of_work(ctx.sessions) as s:
        await _slots(s, data, estate.id, clock.now(), ZoneInfo(estate.timezone))
        unit = (await s.execute(select(Unit).where(Unit.code == "1-101"))).scalar_one()
        code = await issue_binding_code(s, clock=clock, unit_id=unit.id, secret=ctx.settings.secret_key)
        staff = [
            (m.username, m.display_name, m.role)
            for m in (await s.execute(select(Staff).order_by(Staff.id))).scalars()
        ]
    return DemoInfo(
        estate_name=estate.name, created=created, staff=staff, binding_unit=unit.code, binding_code=code
    )


async def _structure(s, data: dict, clock) -> Estate:
    e = data["estate"]
    rng = random.Random(SEED)
    now = clock.now()
    estate = Estate(
        code=e["code"],
        name=e["name"],
        phone=e["phone"],
        timezone=e["timezone"],
        bill_due_day=e["bill_due_day"],
    )
    s.add(estate)
    await s.flush()
    fees = {}
    for f in data["fees"]:
        item = FeeItem(
            estate_id=estate.id,
            code=f["code"],
            name=f["name"],
            kind=f["kind"],
            unit_price_cents=yuan_to_cents(f["unit_price"]),
            applies_to_vacant=f["applies_to_vacant"],
        )
        s.add(item)
        fees[f["code"]] = item
    for sv in data["services"]:
        s.add(
            ServiceItem(
                estate_id=estate.id,
                code=sv["code"],
                name=sv["name"],
                name_en=sv["name_en"],
                price_cents=yuan_to_cents(sv["price"]),
                price_unit=sv["price_unit"],
                duration_minutes=sv["duration"],
                department=sv["department"],
            )
        )
    await s.flush()
    used_phones: set[str] = set()

    def phone() -> str:
        while True:
            number = f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
            if number not in used_phones:
                used_phones.add(number)
                return number

    def name() -> str:
        return rng.choice(e["surnames"]) + rng.choice(e["given"])

    for b in range(1, e["buildings"] + 1):
        building = Building(estate_id=estate.id, code=str(b), name=f"{b}#")
        s.add(building)
        await s.flush()
        for floor in range(1, e["floors"] + 1):
            for room in range(1, e["rooms_per_floor"] + 1):
                area = Decimal(str(e["areas"][room - 1])) + Decimal(rng.randrange(-150, 150)) / 100
                roll = rng.random()
                occupancy = "vacant" if roll < 0.08 else "decorating" if roll < 0.11 else "occupied"
                owner = name()
                unit = Unit(
                    estate_id=estate.id,
                    building_id=building.id,
                    code=f"{b}-{floor}{room:02d}",
                    floor=floor,
                    area_m2=area.quantize(Decimal("0.01")),
                    occupancy=occupancy,
                    owner_name=owner,
                )
                s.add(unit)
                await s.flush()
                s.add(Resident(unit_id=unit.id, name=owner, phone=phone(), role="owner", created_at=now))
                if occupancy == "occupied" and rng.random() < 0.15:
                    s.add(
                        Resident(unit_id=unit.id, name=name(), phone=phone(), role="tenant", created_at=now)
                    )
                if occupancy != "vacant" and rng.random() < 0.3:
                    s.add(UnitFee(unit_id=unit.id, fee_item_id=fees["parking"].id, quantity=1))
    await s.flush()
    # A few residents already chat with the centre, so notices and reminders have somewhere to go.
    residents = (await s.execute(select(Resident).order_by(Resident.id).limit(12))).scalars().all()
    for r in residents:
        s.add(
            ChannelAccount(
                channel="webchat",
                external_id=f"demo-{r.id}",
                chat_id=f"demo-{r.id}",
                resident_id=r.id,
                created_at=now,
                bound_at=now,
                display_name=r.name,
            )
        )
    await s.flush()
    return estate


async def _staff(s, data: dict, clock, estate_id: int, password: str) -> None:
    for m in data["staff"]:
        existing = (
            await s.execute(select(Staff).where(Staff.username == m["username"]))
        ).scalar_one_or_none()
        if existing is None:
            await create_staff(
                s,
                clock=clock,
                username=m["username"],
                display_name=m["display_name"],
                role=m["role"],
                department=m.get("department"),
                password=password,
                estate_id=estate_id,
            )
        else:
            existing.password_hash = hash_password(password)
            existing.active = True


async def _slots(s, data: dict, estate_id: int, now: datetime, tz: ZoneInfo) -> None:
    today = local_date(now, tz)
    times = [time.fromisoformat(t) for t in data["estate"]["slot_times"]]
    capacities = {sv["code"]: sv["capacity"] for sv in data["services"]}
    for item in (await s.execute(select(ServiceItem).where(ServiceItem.estate_id == estate_id))).scalars():
        for d in range(0, 15):
            await ensure_slots(
                s,
                service_item_id=item.id,
                day=today + timedelta(days=d),
                times=times,
                capacity=capacities.get(item.code, 2),
                tz=tz,
            )


async def _bills(ctx: Context, data: dict, estate_id: int) -> None:
    """Three months of bills: the month before last almost all paid, last month mostly, this month half."""
    rng = random.Random(SEED + 1)
    tz = ZoneInfo(data["estate"]["timezone"])
    now = ctx.clock.now()
    current = period_of(local_date(now, tz))
    for age, paid_share in ((2, 0.95), (1, 0.85), (0, 0.5)):
        period = shift(current, -age)
        issued = FixedClock(
            datetime.combine(datetime.strptime(period + "-01", "%Y-%m-%d").date(), time(0, 30), tzinfo=tz)
        )
        async with unit_of_work(ctx.sessions) as s:
            await generate_monthly_bills(s, clock=issued, estate_id=estate_id, period=period)
            bills = (
                (
                    await s.execute(
                        select(Bill)
                        .where(Bill.estate_id == estate_id, Bill.period == period)
                        .order_by(Bill.id)
                    )
                )
                .scalars()
                .all()
            )
            pay_day = FixedClock(min(now, issued.now() + timedelta(days=rng.randrange(3, 14))))
            for bill in bills:
                roll = rng.random()
                if roll < paid_share:
                    amount = bill.amount_cents - bill.paid_cents
                elif roll < paid_share + 0.04:
                    amount = (bill.amount_cents - bill.paid_cents) // 2
                else:
                    continue
                if amount > 0:
                    await record_payment(
                        s,
                        clock=pay_day,
                        unit_id=bill.unit_id,
                        amount_cents=amount,
                        method=rng.choice(["wechat", "wechat", "alipay", "cash", "bank"]),
                    )


async def _tickets(ctx: Context, data: dict, estate_id: int) -> None:
    rng = random.Random(SEED + 2)
    now = ctx.clock.now()
    async with unit_of_work(ctx.sessions) as s:
        staff = {m.username: m for m in (await s.execute(select(Staff))).scalars()}
        residents = (
            (await s.execute(select(Resident).where(Resident.role == "owner").order_by(Resident.id)))
            .scalars()
            .all()
        )
        accounts = {a.resident_id: a.id for a in (await s.execute(select(ChannelAccount))).scalars()}
    agent, tech = staff["agent"], staff["technician"]
    for i, spec in enumerate(data["tickets"]):
        resident = residents[i] if i < 12 else rng.choice(residents)
        clock = FixedClock(now - timedelta(hours=spec["hours_ago"]))
        fate = spec["fate"]
        async with unit_of_work(ctx.sessions) as s:
            t = await tickets.create_ticket(
                s,
                clock=clock,
                estate_id=estate_id,
                kind=spec["kind"],
                category_code=spec["category"],
                description=spec["description"],
                resident_id=resident.id,
                location_text=spec.get("common_area"),
                channel_account_id=accounts.get(resident.id),
                rules=ctx.rules,
            )
            if spec.get("common_area"):
                t.unit_id = None
            if fate == "new":
                continue
            clock.advance(minutes=8)
            await tickets.claim_ticket(s, clock=clock, ticket_id=t.id, staff_id=agent.id)
            if fate == "claimed":
                continue
            clock.advance(minutes=10)
            department = (
                "engineering"
                if t.kind == "repair"
                else ("cleaning" if spec["category"] in ("sanitation",) else "service")
            )
            tech_id = (
                tech.id
                if department == "engineering"
                else (staff["cleaner"].id if department == "cleaning" else None)
            )
            await tickets.dispatch_ticket(
                s,
                clock=clock,
                ticket_id=t.id,
                staff_id=agent.id,
                department=department,
                technician_id=tech_id,
                rules=ctx.rules,
            )
            if fate == "dispatched":
                continue
            clock.advance(minutes=40)
            await tickets.start_work(s, clock=clock, ticket_id=t.id, staff_id=tech_id or agent.id)
            if fate == "in_progress":
                continue
            clock.advance(hours=2)
            await tickets.resolve_ticket(
                s,
                clock=clock,
                ticket_id=t.id,
                staff_id=tech_id or agent.id,
                result=spec["description"] + " ✓",
                rules=ctx.rules,
            )
            if fate == "resolved":
                continue
            clock.advance(hours=25)
            pending = [
                c
                for c, tk in await callbacks.due_callbacks(s, now=clock.now(), include_future=True)
                if tk.id == t.id
            ]
            if fate == "reopened":
                await callbacks.record_callback(
                    s,
                    clock=clock,
                    callback_id=pending[0].id,
                    staff_id=agent.id,
                    result_text="-",
                    overall=2,
                    speed=2,
                    attitude=3,
                )
                continue
            await callbacks.record_callback(
                s,
                clock=clock,
                callback_id=pending[0].id,
                staff_id=agent.id,
                result_text="-",
                overall=rng.choice([4, 5, 5]),
                speed=rng.choice([4, 5]),
                attitude=5,
            )
            if fate == "closed":
                clock.advance(hours=1)
                await tickets.close_ticket(s, clock=clock, ticket_id=t.id, staff_id=staff["supervisor"].id)
