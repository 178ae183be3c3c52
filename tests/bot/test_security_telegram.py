"""Telegram hardening (issue 11, items 10, 19 and 3): private chats only, each update_id handled once,
and photos only from bound chats, within the hourly rate. Updates arrive through the real webhook and
the real aiogram client answers the fake Bot API server."""

# ruff: noqa: F811  (the fixtures are imported from the channel's own tests)

from __future__ import annotations

import asyncio
import os
import sys
from asyncio.subprocess import PIPE

import httpx
import pytest
from sqlalchemy import func, select

import bot.telegram as telegram
from bot.telegram.client import close
from desk.app import create_app
from estate.core.context import Context
from estate.core.db import make_sessionmaker
from estate.messaging.models import ChannelAccount, Conversation, OutboundMessage
from estate.messaging.outbox import enqueue
from estate.tickets.models import Attachment
from tests.bot.test_bot_telegram import fake, tg_ctx  # noqa: F401  (fixtures)
from tests.bot.test_bot_webchat import png_bytes
from tests.support.dialogs import tr, world_with_catalogue
from tests.support.fake_telegram import Fault

UID = 515151
SECRET = "hook-secret"
NEEDS_BINDING = (
    "Please bind this chat to your home before sending photos, so that we know whose request they belong to."
)
TOO_MANY = "You have sent a lot of photos in a short time. Please wait a while before sending more."


@pytest.fixture
async def hook(tg_ctx, fake):
    ctx = tg_ctx
    ctx.settings = ctx.settings.model_copy(
        update={"telegram_mode": "webhook", "telegram_webhook_secret": SECRET, "photo_max_per_hour": 2}
    )
    world = await world_with_catalogue(ctx, ctx.clock.now())
    async with ctx.sessions() as s, s.begin():
        s.add(
            ChannelAccount(
                channel="telegram",
                external_id=str(UID),
                chat_id=str(UID),
                resident_id=world.resident.id,
                locale="en",
                created_at=ctx.clock.now(),
                bound_at=ctx.clock.now(),
            )
        )
    app = create_app(ctx)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:

        async def deliver(update: dict) -> None:
            r = await client.post(
                f"/telegram/webhook/{SECRET}",
                json=update,
                headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
            )
            assert r.status_code == 200

        yield deliver


def message(update_id: int, uid: int, *, chat: dict | None = None, **content) -> dict:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 0,
            "chat": chat or {"id": uid, "type": "private"},
            "from": {"id": uid, "is_bot": False, "first_name": "R", "language_code": "en"},
            **content,
        },
    }


def command(update_id: int, uid: int, text: str, **kw) -> dict:
    entities = [{"type": "bot_command", "offset": 0, "length": len(text)}]
    return message(update_id, uid, text=text, entities=entities, **kw)


def photo(update_id: int, uid: int, fake, data: bytes) -> dict:
    file_id = f"file-{update_id}"
    fake.files[file_id] = data
    size = {"file_id": file_id, "file_unique_id": file_id, "width": 8, "height": 8, "file_size": len(data)}
    return message(update_id, uid, photo=[size])


@pytest.mark.parametrize(
    "chat",
    [
        {"id": -100200300, "type": "supergroup", "title": "Building 1 neighbours"},
        {"id": -4001, "type": "group", "title": "Family"},
        {"id": -100999, "type": "channel", "title": "News"},
    ],
)
async def test_a_bound_residents_menu_in_a_group_is_ignored(tg_ctx, fake, hook, chat):
    await hook(command(1, UID, "/menu", chat=chat))
    tap = {
        "update_id": 2,
        "callback_query": {
            "id": "cb1",
            "from": {"id": UID, "is_bot": False, "first_name": "R"},
            "chat_instance": "ci",
            "data": "menu:fees",
            "message": {"message_id": 9, "date": 0, "chat": chat, "text": "…"},
        },
    }
    await hook(tap)
    assert fake.sent() == []  # nothing said in the group
    async with tg_ctx.sessions() as s:
        account = (
            await s.execute(select(ChannelAccount).where(ChannelAccount.external_id == str(UID)))
        ).scalar_one()
    assert account.chat_id == str(UID)  # later reminders still go to the resident's private chat
    await hook(command(3, UID, "/menu"))
    assert [str(c["params"]["chat_id"]) for c in fake.sent()] == [str(UID)]


async def test_a_redelivered_update_is_handled_once(tg_ctx, fake, hook):
    update = command(77, UID, "/start")
    await hook(update)
    await hook(update)  # Telegram redelivers when the webhook answered too slowly
    await hook(update)
    assert len(fake.sent(UID)) == 1
    async with tg_ctx.sessions() as s:
        version = (await s.execute(select(Conversation.version))).scalar_one()
    assert version == 1


async def test_an_unbound_chat_sending_a_photo_is_asked_to_bind_and_nothing_is_downloaded(tg_ctx, fake, hook):
    stranger = 626262
    await hook(photo(10, stranger, fake, png_bytes()))
    assert fake.sent(stranger)[-1]["params"]["text"] == tr("en", NEEDS_BINDING)
    assert not [c for c in fake.calls if c["method"] == "getFile"]
    async with tg_ctx.sessions() as s:
        assert (await s.execute(select(func.count()).select_from(Attachment))).scalar_one() == 0


async def test_a_bound_chat_stores_photos_within_the_hourly_rate(tg_ctx, fake, hook):
    for n in range(3):
        await hook(photo(20 + n, UID, fake, png_bytes() + bytes([n])))
    assert fake.sent(UID)[-1]["params"]["text"] == tr("en", TOO_MANY)
    assert sum(1 for c in fake.calls if c["method"] == "getFile") == 2  # the third was not downloaded
    async with tg_ctx.sessions() as s:
        stored = (await s.execute(select(Attachment))).scalars().all()
    assert len(stored) == 2 and {a.channel_account_id for a in stored} != {None}
    tg_ctx.clock.advance(hours=1, minutes=1)
    await hook(photo(30, UID, fake, png_bytes() + b"later"))
    assert sum(1 for c in fake.calls if c["method"] == "getFile") == 3


WORKER = """
import asyncio, sys
import bot.telegram as telegram
from bot.telegram.client import close
from estate.core.context import Context
from estate.core.settings import load_settings

async def main():
    ctx = Context.from_settings(load_settings())
    print("ready", flush=True)
    sys.stdin.readline()
    print(await telegram.send_once(ctx, ctx.clock, limit=20), flush=True)
    await close(ctx)
    await ctx.close()

asyncio.run(main())
"""


async def test_two_sender_processes_together_keep_the_global_rate(engine, settings, clock, fake, tmp_path):
    """Two workers, this process and another one, send one broadcast at once."""
    rate = 10.0
    cfg = settings.model_copy(
        update={
            "telegram_token": fake.token,
            "telegram_api_base": fake.base_url,
            "telegram_rate_per_second": rate,
            "telegram_per_chat_interval": 0.0,
        }
    )
    ctx = Context(settings=cfg, engine=engine, sessions=make_sessionmaker(engine), clock=clock)
    async with ctx.sessions() as s, s.begin():
        for i in range(40):
            account = ChannelAccount(
                channel="telegram", external_id=str(9000 + i), chat_id=str(9000 + i), created_at=clock.now()
            )
            s.add(account)
            await s.flush()
            await enqueue(
                s,
                clock=clock,
                dedupe_key=f"notice:{i}",
                channel="telegram",
                channel_account_id=account.id,
                text=f"Water is off tomorrow ({i})",
            )
    env = {
        **os.environ,
        "DESK_DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "DESK_SECRET_KEY": "pacing-test-secret-0123456789abcdef",
        "DESK_DATA_DIR": str(tmp_path / "worker"),
        "DESK_TELEGRAM_TOKEN": fake.token,
        "DESK_TELEGRAM_API_BASE": fake.base_url,
        "DESK_TELEGRAM_RATE_PER_SECOND": str(rate),
        "DESK_TELEGRAM_PER_CHAT_INTERVAL": "0",
    }
    other = await asyncio.create_subprocess_exec(
        sys.executable, "-c", WORKER, env=env, stdin=PIPE, stdout=PIPE, stderr=PIPE
    )
    try:
        assert (await asyncio.wait_for(other.stdout.readline(), 60)).strip() == b"ready"
        fake.faults.append(Fault("sendMessage", 429, times=1, retry_after=1))
        other.stdin.write(b"go\n")
        await other.stdin.drain()
        here = await telegram.send_once(ctx, clock, limit=20)
        out, err = await asyncio.wait_for(other.communicate(), 60)
    finally:
        if other.returncode is None:
            other.kill()
        await close(ctx)
    assert other.returncode == 0, err.decode()
    assert here + int(out.strip()) == 40
    sends = [c for c in fake.calls if c["method"] == "sendMessage"]
    stamps = sorted(c["at"] for c in sends)
    busiest = max(sum(1 for t in stamps if s <= t < s + 1.0) for s in stamps)
    assert busiest <= rate + 1  # both workers together, not each on its own
    throttled = next(c["at"] for c in sends if c.get("fault") == 429)
    # After the 429 nobody sends for retry_after (a slot the other worker took just before may still go).
    assert sum(1 for t in stamps if throttled < t < throttled + 0.95) <= 1
    async with ctx.sessions() as s:
        assert set((await s.execute(select(OutboundMessage.status))).scalars()) == {"sent"}
