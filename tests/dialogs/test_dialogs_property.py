"""Random text, taps, photos and contacts at every state: never an exception, never a lost or doubled ticket."""

from __future__ import annotations

import asyncio
import re
import tempfile
from datetime import datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from dialogs.types import Event
from estate.bookings.models import Booking
from estate.core.clock import FixedClock
from estate.core.context import Context
from estate.core.db import make_engine, make_sessionmaker
from estate.core.settings import Settings
from estate.schema import Base
from estate.tickets.models import Ticket
from tests.conftest import SHANGHAI
from tests.support.dialogs import bound_chat, world_with_catalogue

REF = re.compile(r"\b(?:BX|TS|ZX|JY|FW)-\d{8}-\d{4}\b")
PAYLOADS = [
    "menu:repair",
    "menu:complaint",
    "menu:booking",
    "menu:fees",
    "menu:tickets",
    "menu:feedback",
    "menu:lang",
    "menu:bind",
    "menu:unbind",
    "menu:contact",
    "nav:back",
    "nav:cancel",
    "nav:menu",
    "nav:yes",
    "nav:yes",
    "nav:no",
    "nav:skip",
    "nav:done",
    "cat:plumbing",
    "cat:gas_smell",
    "cat:noise",
    "cat:nonsense",
    "loc:home",
    "loc:common",
    "win:asap",
    "win:tomorrow",
    "svc:1",
    "svc:99",
    "day:2026-11-23",
    "day:not-a-date",
    "slot:1",
    "slot:2",
    "slot:999",
    "bk:mine",
    "bkc:1",
    "fb:inquiry",
    "fb:suggestion",
    "tk:1",
    "tka:msg",
    "tka:urge",
    "rate:3",
    "rate:9",
    "lang:en",
    "lang:xx",
    "survey:1:overall:1",
    "survey:x:overall:9",
    "",
]
TEXTS = [
    "厨房水管漏水了",
    "我要投诉",
    "物业费",
    "hello",
    "3号楼大堂",
    "leak",
    "1",
    "5",
    "ABCD2345",
    "",
    "   ",
    "x" * 300,
    "<script>",
]

events = st.one_of(
    st.builds(lambda p: Event(kind="choice", payload=p), st.sampled_from(PAYLOADS)),
    st.builds(lambda t: Event(kind="text", text=t), st.sampled_from(TEXTS) | st.text(max_size=40)),
    st.builds(
        lambda c: Event(kind="command", command=c),
        st.sampled_from(["start", "menu", "help", "lang", "bind", "nope"]),
    ),
    st.just(Event(kind="photo", attachment_id=None)),
    st.just("photo"),
    st.builds(lambda p: Event(kind="contact", phone=p), st.sampled_from(["13800138000", "12345", ""])),
)


async def scenario(script: list) -> None:
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite+aiosqlite:///{folder}/p.sqlite3")
        async with engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)
        cfg = Settings(
            database_url=f"sqlite+aiosqlite:///{folder}/p.sqlite3", secret_key="k" * 32, data_dir=folder
        )
        ctx = Context(
            settings=cfg,
            engine=engine,
            sessions=make_sessionmaker(engine),
            clock=FixedClock(datetime(2026, 11, 22, 10, tzinfo=SHANGHAI)),
        )
        try:
            world = await world_with_catalogue(ctx, ctx.clock.now())
            chat = await bound_chat(ctx, world)
            announced: list[str] = []
            for step in script:
                replies = await (chat.photo() if step == "photo" else chat.send(step))
                assert replies, f"no reply to {step!r}"
                for reply in replies:
                    assert reply.text.strip()
                    announced += [
                        m for m in REF.findall(reply.text) if m not in announced and _is_new(reply.text)
                    ]
                ctx.clock.advance(minutes=1)
            async with ctx.sessions() as s:
                tickets = (await s.execute(select(func.count()).select_from(Ticket))).scalar_one()
                refs = set((await s.execute(select(Ticket.ref))).scalars()) | set(
                    (await s.execute(select(Booking.ref))).scalars()
                )
            assert set(announced) <= refs  # every confirmed reference exists
            assert tickets == len(
                [r for r in announced if not r.startswith("FW")]
            )  # and nothing else was created
        finally:
            await engine.dispose()


def _is_new(text: str) -> bool:
    """Replies that announce a newly created ticket or booking (the confirmation messages)."""
    markers = (
        "已登记",
        "已登記",
        "registered",
        "预约成功",
        "預約成功",
        "Booked!",
        "登记紧急报修",
        "登記緊急報修",
        "recorded this as an urgent repair",
        "已通知客服中心",
        "alerted the customer service centre",
        "留言已转交",
        "留言已轉交",
        "has been passed on to our staff",
    )
    return any(m in text for m in markers)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(st.lists(events, min_size=1, max_size=25))
def test_random_input_never_breaks_a_conversation(script):
    asyncio.run(scenario(script))
