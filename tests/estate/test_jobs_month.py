"""A month of simulated time: bills on the 1st, each reminder once at 10:00, nothing at night, reports on the 5th and 28th."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from bot.webchat.sender import send_once as webchat_send
from estate.billing.models import Bill, FeeItem
from estate.core.jobs import register_sender
from estate.messaging.models import OutboundMessage, WebChatMessage
from estate.reporting.models import Report
from tests.conftest import SHANGHAI
from tests.support.factories import make_world
from tests.support.jobs import simulate


async def test_a_month_of_scheduled_work(ctx):
    register_sender("webchat", webchat_send)
    async with ctx.sessions() as s, s.begin():
        world = await make_world(s, at=ctx.clock.now())
        s.add(
            FeeItem(
                estate_id=world.estate.id,
                code="management",
                name="Management fee",
                kind="per_area",
                unit_price_cents=185,
            )
        )
    start = datetime(2026, 11, 30, 23, 0, tzinfo=SHANGHAI)
    end = datetime(2027, 1, 1, 0, 0, tzinfo=SHANGHAI)
    ran = await simulate(
        ctx,
        start=start,
        end=end,
        only={
            "monthly_bills",
            "payment_reminders",
            "collection_report",
            "arrears_report",
            "outbox_send",
            "outbox_reaper",
        },
    )

    async with ctx.sessions() as s:
        bill = (await s.execute(select(Bill))).scalar_one()
        reminders = (
            (
                await s.execute(
                    select(OutboundMessage)
                    .where(OutboundMessage.kind == "reminder")
                    .order_by(OutboundMessage.id)
                )
            )
            .scalars()
            .all()
        )
        shown = (await s.execute(select(WebChatMessage).order_by(WebChatMessage.id))).scalars().all()
        reports = (await s.execute(select(Report).order_by(Report.id))).scalars().all()

    assert bill.period == "2026-12" and bill.issued_at == datetime(
        2026, 12, 1, 1, 0, tzinfo=SHANGHAI
    )  # the 00:30 run, at the 01:00 tick
    assert [n for _, n, _ in ran].count("monthly_bills") == 1
    # 3 days before the 15th, then overdue; the weekly cap (one a week per resident) sets the later dates
    assert [
        (r.created_at.astimezone(SHANGHAI).strftime("%m-%d %H:%M"), r.dedupe_key.split(":")[3])
        for r in reminders
    ] == [
        ("12-12 10:00", "due-3d"),
        ("12-19 10:00", "overdue-1d"),
        ("12-26 10:00", "overdue-7d"),
    ]
    assert len({r.dedupe_key for r in reminders}) == len(reminders)
    assert all(r.status == "sent" for r in reminders)
    assert len(shown) == 3 and all(
        8 <= m.created_at.astimezone(SHANGHAI).hour < 21 for m in shown
    )  # never in quiet hours
    assert "¥163.73" in shown[0].text and "2026-12-15" in shown[0].text
    assert [(r.kind, r.period, r.created_at.astimezone(SHANGHAI).strftime("%d %H:%M")) for r in reports] == [
        ("collection", "2026-11", "05 08:00"),
        ("arrears", "2026-12", "28 08:00"),
    ]
    assert reports[1].data["units"] == 1 and reports[1].data["total_cents"] == 16373


async def test_a_missed_run_catches_up_once(ctx):
    from desk.runtime import catch_up
    from estate.jobs import run_job

    async with ctx.sessions() as s, s.begin():
        world = await make_world(s, at=ctx.clock.now())
        s.add(
            FeeItem(
                estate_id=world.estate.id,
                code="management",
                name="Management fee",
                kind="per_area",
                unit_price_cents=185,
            )
        )
    await run_job(ctx, "monthly_bills", datetime(2026, 11, 1, 0, 30, tzinfo=SHANGHAI))
    # the server was down from 30 Nov until 3 Dec: one catch-up run, for December
    ran = await catch_up(ctx, datetime(2026, 12, 3, 9, 0, tzinfo=SHANGHAI))
    again = await catch_up(ctx, datetime(2026, 12, 3, 9, 5, tzinfo=SHANGHAI))
    async with ctx.sessions() as s:
        periods = sorted((await s.execute(select(Bill.period))).scalars())
    assert "monthly_bills" in ran and "monthly_bills" not in again
    assert periods == ["2026-11", "2026-12"]
