"""The outbox (issue 11, item 19): a message queued before an unbind is not delivered after it, each
channel's sender runs on its own (web chat never waits behind a Telegram batch), and
`desk jobs run outbox_send` really sends."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys

import pytest
from sqlalchemy import select

import bot.telegram as telegram
from bot.telegram.client import close
from bot.webchat.sender import send_once as webchat_send
from bot.wechat.client import _clients
from bot.wechat.sender import send_once as wechat_send
from estate.core import jobs
from estate.jobs import JOBS, run_job, run_scheduled, scheduled_jobs
from estate.messaging.leases import UNBOUND
from estate.messaging.models import ChannelAccount, OutboundMessage, WebChatMessage
from estate.messaging.outbox import enqueue, enqueue_to_resident
from estate.residents.binding import unbind
from estate.residents.models import Resident
from tests.desk.test_cli import DESK
from tests.support.factories import make_world
from tests.support.fake_telegram import FakeTelegram
from tests.support.fake_wechat import FakeWeChat


@pytest.fixture
async def fakes(ctx):
    tg, wx = FakeTelegram(), FakeWeChat()
    await tg.start()
    await wx.start()
    ctx.settings = ctx.settings.model_copy(
        update={
            "telegram_token": tg.token,
            "telegram_api_base": tg.base_url,
            "wechat_app_id": "wxapp",
            "wechat_app_secret": "secret",
            "wechat_api_base": wx.base_url,
        }
    )
    yield tg, wx
    await close(ctx)
    client = _clients.pop(id(ctx.settings), None)
    if client is not None:
        await client.close()
    await tg.stop()
    await wx.stop()


async def _resident_on_three_channels(ctx):
    async with ctx.sessions() as s, s.begin():
        world = await make_world(s, at=ctx.clock.now())  # its web chat account is bound
        for channel, ext in (("telegram", "7001"), ("wechat", "oRes")):
            s.add(
                ChannelAccount(
                    channel=channel,
                    external_id=ext,
                    chat_id=ext,
                    resident_id=world.resident.id,
                    last_inbound_at=ctx.clock.now(),
                    created_at=ctx.clock.now(),
                )
            )
    return world


async def _queue(ctx, world, key: str) -> int:
    async with ctx.sessions() as s, s.begin():
        return await enqueue_to_resident(
            s,
            clock=ctx.clock,
            resident_id=world.resident.id,
            key=key,
            text_for=lambda locale: f"Your fee reminder ({key})",
            all_accounts=True,
        )


async def _send_everything(ctx) -> None:
    await webchat_send(ctx, ctx.clock)
    await telegram.send_once(ctx, ctx.clock)
    await wechat_send(ctx, ctx.clock)


async def test_a_message_queued_before_an_unbind_is_not_delivered_after_it(ctx, fakes):
    tg, wx = fakes
    world = await _resident_on_three_channels(ctx)
    assert await _queue(ctx, world, "before") == 3
    async with ctx.sessions() as s, s.begin():
        for account in (await s.execute(select(ChannelAccount))).scalars().all():
            await unbind(s, clock=ctx.clock, account_id=account.id)
    await _send_everything(ctx)
    assert tg.sent() == []
    assert wx.sent("/cgi-bin/message/custom/send") == []
    async with ctx.sessions() as s:
        shown = (await s.execute(select(WebChatMessage))).scalars().all()
        rows = (await s.execute(select(OutboundMessage))).scalars().all()
    assert shown == []
    assert {(r.status, r.last_error) for r in rows} == {("failed", UNBOUND)}


async def test_a_message_queued_before_a_rebind_does_not_reach_the_new_resident(ctx, fakes):
    tg, _ = fakes
    world = await _resident_on_three_channels(ctx)
    await _queue(ctx, world, "for-zhang")
    async with ctx.sessions() as s, s.begin():
        other = Resident(unit_id=world.unit.id, name="Li Si", phone="13900000000", created_at=ctx.clock.now())
        s.add(other)
        await s.flush()
        account = (
            await s.execute(select(ChannelAccount).where(ChannelAccount.channel == "telegram"))
        ).scalar_one()
        account.resident_id = other.id  # the phone changed hands and was bound again
    await telegram.send_once(ctx, ctx.clock)
    assert tg.sent() == []


async def test_messages_of_a_still_bound_chat_are_delivered(ctx, fakes):
    tg, wx = fakes
    world = await _resident_on_three_channels(ctx)
    await _queue(ctx, world, "bound")
    await _send_everything(ctx)
    assert len(tg.sent()) == 1 and len(wx.sent("/cgi-bin/message/custom/send")) == 1
    async with ctx.sessions() as s:
        assert set((await s.execute(select(OutboundMessage.status))).scalars()) == {"sent"}


async def test_web_chat_is_not_held_back_by_a_long_telegram_batch(ctx, monkeypatch):
    async with ctx.sessions() as s, s.begin():
        world = await make_world(s, at=ctx.clock.now())
        await enqueue(
            s,
            clock=ctx.clock,
            dedupe_key="w1",
            channel="webchat",
            channel_account_id=world.account.id,
            text="Your repair is done",
        )
    telegram_busy, release = asyncio.Event(), asyncio.Event()

    async def long_telegram_batch(ctx, clock) -> int:
        telegram_busy.set()
        await release.wait()  # 750 paced messages take half a minute
        return 750

    monkeypatch.setitem(jobs.SENDERS, "telegram", long_telegram_batch)
    monkeypatch.setitem(jobs.SENDERS, "webchat", webchat_send)
    monkeypatch.delitem(jobs.SENDERS, "wechat", raising=False)
    by_name = {job.name: job for job in scheduled_jobs()}
    assert {"send_telegram", "send_webchat", "outbox_send"} <= set(by_name)

    batch = asyncio.create_task(run_scheduled(ctx, by_name["send_telegram"]))
    await asyncio.wait_for(telegram_busy.wait(), 10)
    # Meanwhile the scheduler's other ticks go on: notices, and the web chat's own sender.
    assert await asyncio.wait_for(run_scheduled(ctx, JOBS["outbox_send"]), 10) == "0 notice message(s) queued"
    assert (
        await asyncio.wait_for(run_scheduled(ctx, by_name["send_webchat"]), 10) == "1 webchat message(s) sent"
    )
    async with ctx.sessions() as s:
        assert [m.text for m in (await s.execute(select(WebChatMessage))).scalars()] == [
            "Your repair is done"
        ]
    assert not batch.done()
    release.set()
    assert await batch == "750 telegram message(s) sent"

    # `desk jobs run outbox_send` runs every channel side by side and reports each.
    monkeypatch.setitem(jobs.SENDERS, "telegram", long_telegram_batch)
    summary = await run_job(ctx, "outbox_send")
    assert summary == "0 notice message(s) queued; sent telegram: 750, webchat: 0"


def test_desk_jobs_run_outbox_send_sends(tmp_path):
    env = {
        **os.environ,
        "DESK_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/desk.sqlite3",
        "DESK_SECRET_KEY": "outbox-test-secret-0123456789abcdef",
        "DESK_DATA_DIR": str(tmp_path / "data"),
    }
    for name in ("DESK_TELEGRAM_TOKEN", "DESK_WECHAT_APP_ID", "DESK_CONFIG"):
        env.pop(name, None)
    assert subprocess.run([DESK, "init"], env=env, capture_output=True, timeout=120).returncode == 0
    queue = (
        "import asyncio\n"
        "from estate.core.context import Context\nfrom estate.core.settings import load_settings\n"
        "from estate.messaging.accounts import get_or_create_account\nfrom estate.messaging.outbox import enqueue\n"
        "async def main():\n"
        "    ctx = Context.from_settings(load_settings())\n"
        "    async with ctx.sessions() as s, s.begin():\n"
        "        acc = await get_or_create_account(s, clock=ctx.clock, channel='webchat', external_id='web-1')\n"
        "        await enqueue(s, clock=ctx.clock, dedupe_key='k1', channel='webchat',\n"
        "                      channel_account_id=acc.id, text='Hello from the desk')\n"
        "    await ctx.close()\n"
        "asyncio.run(main())\n"
    )
    done = subprocess.run([sys.executable, "-c", queue], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    run = subprocess.run(
        [DESK, "jobs", "run", "outbox_send"], env=env, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr
    assert "webchat: 1" in run.stdout and "no channel senders" not in run.stdout
    listed = subprocess.run(
        [DESK, "outbox", "list", "--json"], env=env, capture_output=True, text=True, timeout=60
    )
    assert [row["status"] for row in json.loads(listed.stdout)] == ["sent"]
    assert "Unclosed" not in run.stderr
