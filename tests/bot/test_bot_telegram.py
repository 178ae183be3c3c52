"""Telegram: the real aiogram client against the fake Bot API server, over HTTP on 127.0.0.1."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

import bot.telegram as telegram
from bot.telegram.client import close
from bot.telegram.pacing import Pacer
from estate.jobs import run_job
from estate.messaging.models import ChannelAccount, OutboundMessage
from estate.messaging.outbox import enqueue
from estate.residents.codes import issue_binding_code
from estate.tickets.assignment import dispatch_ticket
from estate.tickets.models import Attachment, Ticket
from estate.tickets.progress import resolve_ticket
from tests.bot.test_bot_webchat import png_bytes
from tests.support.dialogs import world_with_catalogue
from tests.support.fake_telegram import FakeTelegram, Fault

UID = 424242


@pytest.fixture
async def fake():
    server = FakeTelegram()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def tg_ctx(ctx, fake):
    ctx.settings = ctx.settings.model_copy(
        update={
            "telegram_token": fake.token,
            "telegram_api_base": fake.base_url,
            "telegram_rate_per_second": 20.0,
            "telegram_per_chat_interval": 0.25,
        }
    )
    yield ctx
    await close(ctx)


class Conversation:
    """Waits for the bot's next message to a chat that contains a fragment."""

    def __init__(self, fake: FakeTelegram, uid: int) -> None:
        self.fake, self.uid, self.seen = fake, uid, 0

    async def expect(self, fragment: str) -> dict:
        def match(call: dict) -> bool:
            return (
                call["method"] == "sendMessage"
                and call["ok"]
                and str(call["params"].get("chat_id")) == str(self.uid)
                and fragment in call["params"].get("text", "")
                and id(call) not in self._old
            )

        self._old = {id(c) for c in self.fake.calls[: self.seen]}
        found = await self.fake.wait_for(match, within=15)
        self.seen = len(self.fake.calls)
        return found[0]


class SteppedClock:
    """A monotonic pace clock that moves only when the pacer sleeps: pacing is checked exactly, not timed."""

    def __init__(self, start: float = 1_000_000.0) -> None:
        self.t = start

    def now(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        assert seconds > 0
        self.t += seconds
        await asyncio.sleep(0)  # let the fake server run, as a real sleep would


class StampedCalls(list):
    """The fake server's call log, each call stamped with the pace clock's time instead of the wall clock."""

    def __init__(self, clock: SteppedClock) -> None:
        super().__init__()
        self.clock = clock

    def append(self, call: dict) -> None:
        call["at"] = self.clock.now()
        super().append(call)


async def test_a_whole_journey_with_the_real_aiogram_client(tg_ctx, fake):
    ctx = tg_ctx
    world = await world_with_catalogue(ctx, ctx.clock.now())
    async with ctx.sessions() as s, s.begin():
        code = await issue_binding_code(
            s, clock=ctx.clock, unit_id=world.unit.id, secret=ctx.settings.secret_key
        )
    tasks = await telegram.start(ctx)
    chat = Conversation(fake, UID)
    try:
        fake.send_text(UID, "/start")
        greeting = await chat.expect("物业客服中心，请问有什么可以帮助您？")
        assert greeting["params"]["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "menu:bind"
        fake.send_text(UID, code)
        await chat.expect("本对话已绑定到您的房屋 1-101")
        for payload in ("menu:repair", "cat:plumbing", "loc:home"):
            fake.tap(UID, payload)
            await asyncio.sleep(0.05)
        await chat.expect("请描述一下问题")
        fake.send_text(UID, "厨房水槽下水很慢")
        await chat.expect("照片")
        fake.send_photo(UID, png_bytes())
        await chat.expect("已收到第 1 张照片")
        for payload in ("nav:done", "win:asap", "nav:yes"):
            fake.tap(UID, payload)
            await asyncio.sleep(0.05)
        done = await chat.expect("您的报修已登记")
        assert "BX-20261122-0001" in done["params"]["text"]
        assert any(c["method"] == "answerCallbackQuery" for c in fake.calls)

        async with ctx.sessions() as s, s.begin():
            ticket = (await s.execute(select(Ticket))).scalar_one()
            photo = (await s.execute(select(Attachment))).scalar_one()
            assert (
                photo.ticket_id == ticket.id
                and (ctx.settings.data_dir / photo.path).read_bytes() == png_bytes()
            )
            await dispatch_ticket(
                s,
                clock=ctx.clock,
                ticket_id=ticket.id,
                staff_id=world.staff["agent"].id,
                department="engineering",
            )
        assert await telegram.send_once(ctx, ctx.clock) == 1
        await chat.expect("已转至工程部")

        async with ctx.sessions() as s, s.begin():
            await resolve_ticket(
                s,
                clock=ctx.clock,
                ticket_id=ticket.id,
                staff_id=world.staff["technician"].id,
                result="已疏通。",
            )
        await telegram.send_once(ctx, ctx.clock)
        await chat.expect("已处理完毕")
        ctx.clock.advance(hours=24, minutes=1)
        await run_job(ctx, "callbacks_due", ctx.clock.now())
        await telegram.send_once(ctx, ctx.clock)
        survey = await chat.expect("请问您对本次服务是否满意")
        buttons = [
            b["callback_data"] for row in survey["params"]["reply_markup"]["inline_keyboard"] for b in row
        ]
        assert f"survey:{ticket.id}:overall:5" in buttons
        fake.tap(UID, f"survey:{ticket.id}:overall:5")
        await chat.expect("处理速度")
        fake.tap(UID, "rate:5")
        await chat.expect("服务态度")
        fake.tap(UID, "rate:4")
        await chat.expect("还有其他意见")
        fake.send_text(UID, "师傅很专业")
        await chat.expect("感谢您的评价")
        async with ctx.sessions() as s:
            assert (await s.get(Ticket, ticket.id)).status == "callback_done"
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def test_faults_lose_nothing_send_nothing_twice_and_pacing_holds(tg_ctx, fake):
    ctx = tg_ctx
    telegram_chats = {"A": 1001, "B": 1002, "C": 1003}
    async with ctx.sessions() as s, s.begin():
        accounts = {}
        for name, chat_id in telegram_chats.items():
            account = ChannelAccount(
                channel="telegram", external_id=str(chat_id), chat_id=str(chat_id), created_at=ctx.clock.now()
            )
            s.add(account)
            await s.flush()
            accounts[name] = account.id
        for i in range(8):
            for name in telegram_chats:
                await enqueue(
                    s,
                    clock=ctx.clock,
                    dedupe_key=f"m:{name}:{i}",
                    channel="telegram",
                    channel_account_id=accounts[name],
                    text=f"{name}-{i}",
                )
    fake.faults += [
        Fault("sendMessage", 429, times=2, retry_after=1),
        Fault("sendMessage", 500, times=2),
        Fault("sendMessage", 403, chat_id="1003"),
    ]
    # 16 a second overall and 4 a second per chat: binary fractions, so the times below are exact
    pace = SteppedClock()
    fake.calls = StampedCalls(pace)
    pacer = Pacer(ctx.sessions, rate=16.0, per_chat=0.25, clock=pace)
    for _ in range(20):
        await telegram.send_once(ctx, ctx.clock, pacer=pacer)
        ctx.clock.advance(minutes=2)  # past any backoff
        async with ctx.sessions() as s:
            left = (
                await s.execute(
                    select(OutboundMessage).where(
                        OutboundMessage.status.in_(["pending", "claimed", "attempting"])
                    )
                )
            ).all()
        if not left:
            break
    async with ctx.sessions() as s:
        statuses = {m.text: m.status for m in (await s.execute(select(OutboundMessage))).scalars()}
        blocked = (await s.get(ChannelAccount, accounts["C"])).blocked
    delivered = [c["params"]["text"] for c in fake.sent()]
    for name in ("A", "B"):
        texts = [t for t in delivered if t.startswith(name)]
        assert sorted(texts) == sorted(f"{name}-{i}" for i in range(8))  # each exactly once, none lost
        assert all(statuses[t] == "sent" for t in texts)
    assert not [t for t in delivered if t.startswith("C")]
    assert blocked and {statuses[f"C-{i}"] for i in range(8)} == {"blocked"}
    assert sum(1 for c in fake.calls if c["params"].get("chat_id") == "1003") == 1  # stopped after the 403

    attempts = [c for c in fake.calls if c["method"] == "sendMessage"]
    stamps = [c["at"] for c in attempts]
    assert stamps == sorted(stamps)  # one sender, so the pace clock only moves forward
    overall = [b - a for a, b in zip(stamps, stamps[1:], strict=False)]
    assert min(overall) == 1 / 16  # the overall rate, reached and never exceeded
    by_chat: dict[str, list[float]] = {}
    for c in attempts:
        by_chat.setdefault(str(c["params"]["chat_id"]), []).append(c["at"])
    per_chat = [b - a for times in by_chat.values() for a, b in zip(times, times[1:], strict=False)]
    assert min(per_chat) == 0.25  # one send per chat per configured interval, no sooner
    throttled = [i for i, c in enumerate(attempts) if c.get("fault") == 429]
    assert len(throttled) == 2
    for i in throttled:
        assert attempts[i + 1]["at"] - attempts[i]["at"] >= 1.0  # everyone waited retry_after
    assert attempts[throttled[0] + 1]["params"]["text"] == attempts[throttled[0]]["params"]["text"]


async def test_webhook_checks_its_secret_and_refuses_malformed_updates(tg_ctx, fake):
    import httpx

    from desk.app import create_app

    ctx = tg_ctx
    ctx.settings = ctx.settings.model_copy(
        update={"telegram_mode": "webhook", "telegram_webhook_secret": "s3cret-path"}
    )
    await world_with_catalogue(ctx, ctx.clock.now())
    app = create_app(ctx)
    update = {
        "update_id": 1,
        "message": {
            "message_id": 1,
            "date": 0,
            "chat": {"id": UID, "type": "private"},
            "from": fake.user(UID, language_code="en"),
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        assert (await client.post("/telegram/webhook/wrong", json=update)).status_code == 403
        assert (await client.post("/telegram/webhook/s3cret-path", content=b"{oops")).status_code == 400
        assert (
            await client.post("/telegram/webhook/s3cret-path", json={"update_id": "x", "message": 5})
        ).status_code == 400
        nested = b'{"update_id": 2, "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
        assert (await client.post("/telegram/webhook/s3cret-path", content=nested)).status_code == 400
        lone = b'{"update_id": 3, "message": {"message_id": 3, "date": 0, "chat": {"id": 1, "type": "private"}, "text": "\\ud800"}}'
        assert (await client.post("/telegram/webhook/s3cret-path", content=lone)).status_code == 400
        r = await client.post(
            "/telegram/webhook/s3cret-path",
            json=update,
            headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-path"},
        )
        assert r.status_code == 200
    greeting = fake.sent(UID)
    assert greeting and greeting[-1]["params"]["text"].startswith(
        "Hello, this is the Star City customer service centre"
    )
