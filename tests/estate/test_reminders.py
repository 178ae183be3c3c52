"""Payment reminders queued in one batch: who gets one, on which account, in which language, and when."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select

from estate.billing.models import Bill
from estate.billing.money import fmt_yuan
from estate.billing.reminders import REMINDER, WHEN_DUE, remind_by_hand, send_payment_reminders
from estate.messaging.models import ChannelAccount, OutboundMessage
from estate.residents.models import Resident
from locales import Translator
from tests.conftest import SHANGHAI
from tests.support.factories import make_world

QUIET = (SHANGHAI, 21, 8)


async def _household(s, clock):
    """The world's owner (two chats, the Telegram one used last), an English-speaking tenant, and a
    resident reminded three days ago; one unpaid bill due in three days."""
    world = await make_world(s, at=clock.now())
    recent = ChannelAccount(
        channel="telegram",
        external_id="t-1",
        resident_id=world.resident.id,
        last_inbound_at=clock.now() - timedelta(hours=1),
    )
    tenant = Resident(unit_id=world.unit.id, name="Ann", phone=None, role="tenant", locale="en")
    capped = Resident(
        unit_id=world.unit.id, name="Li", phone=None, last_reminded_at=clock.now() - timedelta(days=3)
    )
    s.add_all([recent, tenant, capped])
    await s.flush()
    tenant_chat = ChannelAccount(channel="webchat", external_id="w-2", resident_id=tenant.id)
    s.add_all(
        [
            tenant_chat,
            ChannelAccount(channel="webchat", external_id="w-3", resident_id=capped.id),
            Bill(
                unit_id=world.unit.id,
                estate_id=world.estate.id,
                period="2026-11",
                amount_cents=16373,
                paid_cents=0,
                due_date=date(2026, 11, 25),
                issued_at=clock.now(),
            ),
        ]
    )
    await s.flush()
    return world, recent, (tenant, tenant_chat), capped


def _expected(locale):
    t = Translator(locale)
    when = t(WHEN_DUE, due="2026-11-25")
    return t(REMINDER, unit="1-101", total=fmt_yuan(16373), months="2026-11", when=when)


async def test_reminders_go_in_one_batch_with_the_keys_texts_and_cap_of_one_by_one(sessions, clock):
    clock.set(datetime(2026, 11, 22, 22, 30, tzinfo=SHANGHAI))
    async with sessions() as s, s.begin():
        world, recent, (tenant, tenant_chat), capped = await _household(s, clock)
        args = dict(clock=clock, estate_id=world.estate.id, tz=SHANGHAI, quiet=QUIET)
        first = await send_payment_reminders(s, **args)
        second = await send_payment_reminders(s, **args)
        assert world.resident.last_reminded_at == clock.now()  # the session's own objects see it too
        rows = (await s.execute(select(OutboundMessage).order_by(OutboundMessage.id))).scalars().all()
    assert (first, second) == (2, 0)
    key = f"remind:{world.unit.id}:2026-11:due-3d"
    assert [(m.dedupe_key, m.resident_id, m.text) for m in rows] == [
        (f"{key}:r{world.resident.id}:telegram:{recent.id}", world.resident.id, _expected(None)),
        (f"{key}:r{tenant.id}:webchat:{tenant_chat.id}", tenant.id, _expected("en")),
    ]
    assert all(m.kind == "reminder" and not m.urgent for m in rows)
    assert all(m.not_before == datetime(2026, 11, 23, 8, 0, tzinfo=SHANGHAI) for m in rows)
    async with sessions() as s:
        reminded = dict((await s.execute(select(Resident.id, Resident.last_reminded_at))).tuples().all())
    assert reminded[world.resident.id] == reminded[tenant.id] == clock.now()
    assert reminded[capped.id] == clock.now() - timedelta(days=3)


async def test_a_reminder_by_hand_ignores_the_weekly_cap(sessions, clock):
    async with sessions() as s, s.begin():
        world, _, _, capped = await _household(s, clock)
        n = await remind_by_hand(
            s, clock=clock, estate_id=world.estate.id, tz=SHANGHAI, quiet=QUIET, unit_code="1-101"
        )
        to_capped = (
            await s.execute(select(OutboundMessage).where(OutboundMessage.resident_id == capped.id))
        ).scalar_one()
    assert n == 3
    assert to_capped.dedupe_key.startswith(
        f"remind:{world.unit.id}:2026-11:manual-{clock.now():%Y%m%d%H%M}:r{capped.id}:"
    )
