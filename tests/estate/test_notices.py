"""Notices to the estate, a building, or the residents in arrears."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select

from estate.billing.models import Bill
from estate.messaging.models import ChannelAccount, OutboundMessage
from estate.messaging.notices import create_notice, delivery_counts, due_notices, publish_notice
from estate.residents.models import Resident, Unit
from tests.conftest import SHANGHAI
from tests.support.factories import make_world


async def test_arrears_notice_reaches_only_those_in_arrears_and_publishing_twice_queues_nothing(
    sessions, clock
):
    async with sessions() as s, s.begin():
        world = await make_world(s, at=clock.now())
        other_unit = Unit(
            estate_id=world.estate.id, building_id=world.building.id, code="1-102", floor=1, area_m2=90
        )
        s.add(other_unit)
        await s.flush()
        other = Resident(unit_id=other_unit.id, name="Li Si", phone="13900000000")
        s.add(other)
        await s.flush()
        s.add(ChannelAccount(channel="telegram", external_id="99", resident_id=other.id))
        s.add(
            Bill(
                unit_id=world.unit.id,
                estate_id=world.estate.id,
                period="2026-10",
                amount_cents=1000,
                paid_cents=0,
                due_date=date(2026, 10, 15),
                issued_at=clock.now(),
            )
        )
        notice = await create_notice(
            s, clock=clock, estate_id=world.estate.id, title="Fees", body="Please pay", target="arrears"
        )
        first = await publish_notice(s, clock=clock, notice_id=notice.id)
        second = await publish_notice(s, clock=clock, notice_id=notice.id)
        everyone = await create_notice(
            s, clock=clock, estate_id=world.estate.id, title="Water", body="Off at 9", target="estate"
        )
        assert await publish_notice(s, clock=clock, notice_id=everyone.id) == 2
        rows = (
            (await s.execute(select(OutboundMessage).where(OutboundMessage.notice_id == notice.id)))
            .scalars()
            .all()
        )
        counts = await delivery_counts(s, notice_id=everyone.id)
    assert (first, second) == (1, 0)
    assert rows[0].channel_account_id == world.account.id and rows[0].text == "Fees\n\nPlease pay"
    assert counts == {("webchat", "pending"): 1, ("telegram", "pending"): 1}


async def test_scheduled_notice_is_due_at_its_time_and_respects_quiet_hours(sessions, clock):
    async with sessions() as s, s.begin():
        world = await make_world(s, at=clock.now())
        at = datetime(2026, 11, 22, 22, 0, tzinfo=SHANGHAI)
        notice = await create_notice(
            s, clock=clock, estate_id=world.estate.id, title="T", body="B", scheduled_at=at
        )
        assert await due_notices(s, now=at - timedelta(minutes=1)) == []
        assert [n.id for n in await due_notices(s, now=at)] == [notice.id]
        clock.set(at)
        await publish_notice(s, clock=clock, notice_id=notice.id, quiet=(SHANGHAI, 21, 8))
        row = (await s.execute(select(OutboundMessage))).scalar_one()
    assert row.not_before == datetime(2026, 11, 23, 8, 0, tzinfo=SHANGHAI)
