"""The one sender loop: what each outcome a channel reports leaves in the outbox."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.outbound import Blocked, Channel, Failed, Outcome, Released, Retry, Sent, send_due
from estate.messaging.accounts import get_or_create_account
from estate.messaging.leases import reap
from estate.messaging.models import ChannelAccount, OutboundMessage
from estate.messaging.outbox import enqueue


async def _queue(ctx, texts: list[str]) -> int:
    async with ctx.sessions() as s, s.begin():
        account = await get_or_create_account(s, clock=ctx.clock, channel="fake", external_id="chat-1")
        for i, text in enumerate(texts):
            await enqueue(
                s,
                clock=ctx.clock,
                dedupe_key=f"k:{i}",
                channel="fake",
                text=text,
                channel_account_id=account.id,
            )
        return account.id


async def _rows(ctx) -> dict[str, OutboundMessage]:
    async with ctx.sessions() as s:
        return {m.text: m for m in (await s.execute(select(OutboundMessage))).scalars()}


async def test_each_outcome_is_recorded(ctx):
    later = ctx.clock.now() + timedelta(minutes=5)
    outcomes: dict[str, Outcome] = {
        "sent": Sent(external_id="x-1"),
        "retry": Retry("timeout"),
        "failed": Failed("400 bad request"),
        "released": Released(later),
    }
    await _queue(ctx, list(outcomes))

    async def deliver(row: OutboundMessage, account: ChannelAccount) -> Outcome:
        return outcomes[row.text]

    channel = Channel("fake", deliver, lambda account: None if account else "no account")
    assert await send_due(ctx, ctx.clock, channel, limit=10) == 1
    rows = await _rows(ctx)
    assert (rows["sent"].status, rows["sent"].external_id, rows["sent"].attempts) == ("sent", "x-1", 1)
    assert (rows["retry"].status, rows["retry"].last_error) == ("pending", "timeout")
    assert rows["retry"].not_before > ctx.clock.now()  # backoff
    assert (rows["failed"].status, rows["failed"].last_error) == ("failed", "400 bad request")
    assert (rows["released"].status, rows["released"].attempts) == ("pending", 0)  # the try is not counted


async def test_blocked_holds_the_rest_of_the_chat_and_marks_the_account(ctx):
    account_id = await _queue(ctx, ["one", "two"])
    delivered = []

    async def deliver(row: OutboundMessage, account: ChannelAccount) -> Outcome:
        delivered.append(row.text)
        return Blocked("403 blocked by the user")

    channel = Channel(
        "fake", deliver, lambda account: None if account and not account.blocked else "unreachable"
    )
    assert await send_due(ctx, ctx.clock, channel, limit=10) == 0
    assert delivered == ["one"]
    assert {r.status for r in (await _rows(ctx)).values()} == {"blocked"}
    async with ctx.sessions() as s:
        assert (await s.get(ChannelAccount, account_id)).blocked


async def test_a_crash_during_delivery_leaves_the_row_unknown_never_resent(ctx):
    await _queue(ctx, ["one"])

    async def deliver(row: OutboundMessage, account: ChannelAccount) -> Outcome:
        raise RuntimeError("the process died mid-call")

    channel = Channel("fake", deliver, lambda account: None)
    with pytest.raises(RuntimeError):
        await send_due(ctx, ctx.clock, channel, limit=10)
    assert (await _rows(ctx))["one"].status == "attempting"
    ctx.clock.set(ctx.clock.now() + timedelta(seconds=ctx.settings.outbox_lease_seconds + 1))
    async with ctx.sessions() as s, s.begin():
        await reap(s, clock=ctx.clock)
    assert (await _rows(ctx))["one"].status == "unknown"
