"""A scripted resident for dialog tests: sends events through the engine, one unit of work per event."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select

from dialogs.engine import handle
from dialogs.types import Event, Reply
from estate.billing.models import FeeItem
from estate.bookings.models import ServiceItem
from estate.core.context import Context
from estate.messaging.accounts import get_or_create_account
from estate.messaging.models import ChannelAccount
from estate.residents.codes import issue_binding_code
from estate.tickets.models import Attachment
from locales import Translator
from tests.support.factories import World, make_world


@dataclass
class Chat:
    ctx: Context
    external_id: str
    locale_hint: str | None = None
    transcript: list[Reply] = field(default_factory=list)
    channel: str = "webchat"  # the channel the chat is on: telegram | wechat | webchat

    async def send(self, event: Event) -> list[Reply]:
        async with self.ctx.sessions() as s, s.begin():
            account = await get_or_create_account(
                s, clock=self.ctx.clock, channel=self.channel, external_id=self.external_id
            )
            replies = await handle(s, ctx=self.ctx, account=account, event=event)
        self.transcript += replies
        return replies

    async def text(self, text: str) -> list[Reply]:
        return await self.send(Event(kind="text", text=text, locale_hint=self.locale_hint))

    async def tap(self, payload: str) -> list[Reply]:
        return await self.send(Event(kind="choice", payload=payload, locale_hint=self.locale_hint))

    async def command(self, name: str) -> list[Reply]:
        return await self.send(Event(kind="command", command=name, locale_hint=self.locale_hint))

    async def photo(self) -> list[Reply]:
        async with self.ctx.sessions() as s, s.begin():
            att = Attachment(
                path="x.jpg", content_type="image/jpeg", size=10, created_at=self.ctx.clock.now()
            )
            s.add(att)
            await s.flush()
            att_id = att.id
        return await self.send(Event(kind="photo", attachment_id=att_id, locale_hint=self.locale_hint))

    async def account(self) -> ChannelAccount:
        async with self.ctx.sessions() as s:
            return (
                await s.execute(select(ChannelAccount).where(ChannelAccount.external_id == self.external_id))
            ).scalar_one()


def payloads(replies: list[Reply]) -> list[str]:
    return [c.payload for r in replies for c in r.choices]


def texts(replies: list[Reply]) -> str:
    return "\n".join(r.text for r in replies)


def first_payload(replies: list[Reply], prefix: str) -> str:
    return next(p for p in payloads(replies) if p.startswith(prefix))


async def world_with_catalogue(ctx: Context, at: datetime) -> World:
    async with ctx.sessions() as s, s.begin():
        world = await make_world(s, at=at)
        world.estate.phone = "0731-88886666"
        s.add(
            FeeItem(
                estate_id=world.estate.id,
                code="management",
                name="Management fee",
                kind="per_area",
                unit_price_cents=185,
            )
        )
        item = ServiceItem(
            estate_id=world.estate.id,
            code="cleaning",
            name="Home cleaning",
            name_en="Home cleaning",
            price_cents=12000,
        )
        s.add(item)
        await s.flush()
        from datetime import time, timedelta

        from estate.bookings.slots import ensure_slots

        for d in range(3):
            await ensure_slots(
                s,
                service_item_id=item.id,
                day=at.date() + timedelta(days=d),
                times=[time(9), time(14), time(16)],
                capacity=2,
                tz=ctx.settings.tz,
            )
        world.unit.area_m2 = Decimal("88.50")
    return world


async def bound_chat(
    ctx: Context, world: World, *, locale: str | None = None, external_id: str = "resident-1"
) -> Chat:
    """A chat already bound to the world's resident (by a real binding code)."""
    chat = Chat(ctx, external_id, locale_hint=locale)
    async with ctx.sessions() as s, s.begin():
        code = await issue_binding_code(
            s, clock=ctx.clock, unit_id=world.unit.id, secret=ctx.settings.secret_key
        )
    await chat.command("start")
    await chat.tap("menu:bind")
    await chat.text(code)
    return chat


def tr(locale: str | None, msgid: str, **params) -> str:
    return Translator(locale)(msgid, **params)
