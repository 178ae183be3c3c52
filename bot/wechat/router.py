"""The /wechat endpoint: URL verification (GET) and messages (POST), signature-checked on every request.

A message is handled within 4 seconds and answered passively; when the conversation takes longer the
endpoint answers "success" and the replies follow as customer-service messages through the outbox.
WeChat resends a message it got no answer to, so MsgId (or sender + time for events) is remembered
in the transaction of the message's effect: a resend is answered without being handled twice, and a
message whose handling failed (answered 500) is handled when WeChat resends it.

A request is refused when its signed timestamp is more than five minutes off (a replayed request),
and, with an AES key configured, when it is not encrypted. Pictures are fetched by MediaId from
WeChat's media API with our token, never from the PicUrl the message names; and only for a chat
bound to a resident.
"""

from __future__ import annotations

import asyncio
import logging

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from bot.inbound import Photo, converse, refuse_photo
from bot.media import may_store
from bot.wechat.client import client_for
from bot.wechat.envelope import open_message, passive_reply, signed
from bot.wechat.render import as_text, choice_for
from dialogs.types import Event, Reply
from estate.core.context import Context
from estate.core.db import unit_of_work
from estate.core.errors import ValidationFailed
from estate.messaging import outbox
from estate.messaging.accounts import get_or_create_account
from estate.messaging.models import ChannelAccount

log = logging.getLogger("desk.wechat")
PASSIVE_WINDOW = 4.0


def create_router(ctx: Context) -> APIRouter:
    router = APIRouter()

    @router.get("/wechat", include_in_schema=False)
    async def verify(request: Request) -> Response:
        if not signed(request, ctx):
            return Response(status_code=403)
        return PlainTextResponse(request.query_params.get("echostr", ""))

    @router.post("/wechat", include_in_schema=False)
    async def receive(request: Request) -> Response:
        if not signed(request, ctx):
            return Response(status_code=403)
        message = open_message(request, ctx.settings, await request.body())
        if isinstance(message, Response):
            return message
        openid, our_id = message.get("FromUserName", ""), message.get("ToUserName", "")
        if not openid:
            return PlainTextResponse("bad request", status_code=400)
        key = message.get("MsgId") or f"{openid}:{message.get('CreateTime', '')}:{message.get('Event', '')}"
        task = asyncio.create_task(_converse(ctx, openid, message, key))
        try:
            text = await asyncio.wait_for(asyncio.shield(task), timeout=PASSIVE_WINDOW)
        except TimeoutError:
            task.add_done_callback(lambda t: asyncio.ensure_future(_queue_late(ctx, openid, key, t)))
            return PlainTextResponse("success")
        except Exception:  # nothing was recorded: WeChat resends the message and it is handled then
            log.exception("WeChat message %s failed", key)
            return PlainTextResponse("error", status_code=500)
        if not text:  # nothing to say, or a resend of a message already handled
            return PlainTextResponse("success")
        aes = request.query_params.get("encrypt_type") == "aes"
        return passive_reply(ctx.settings, aes=aes, openid=openid, our_id=our_id, text=text)

    return router


async def _converse(ctx: Context, openid: str, message: dict[str, str], key: str) -> str | None:
    """Turn the message into a dialog event, run it, and return the replies as one text (None: a resend)."""
    kind = message.get("MsgType", "")
    photo = None
    if kind == "image":
        photo = Photo(b"")
        if await may_store(
            ctx.sessions, clock=ctx.clock, settings=ctx.settings, channel="wechat", external_id=openid
        ):
            photo = Photo(
                await _picture(ctx, message.get("MediaId", ""))
            )  # before the transaction: no lock held

    def event_for(account: ChannelAccount) -> Event | None:
        name = message.get("Event", "")
        if kind == "text":
            text = message.get("Content", "")
            payload = choice_for(text, account.last_choices)
            return Event(kind="choice", payload=payload) if payload else Event(kind="text", text=text)
        if kind == "image":
            return Event(kind="photo")
        if kind == "event" and name.lower() == "subscribe":
            return Event(kind="command", command="start")
        if kind == "event" and name.lower() == "unsubscribe":
            account.blocked = True
            return None  # nothing to say
        if kind == "event" and name.upper() == "CLICK":
            return Event(kind="choice", payload=message.get("EventKey", ""))
        return Event(kind="text", text="")

    async def remember_choices(s: AsyncSession, account: ChannelAccount, replies: list[Reply]) -> None:
        account.last_choices = [c for r in replies for c in r.as_dict()["choices"]] or None

    turn = await converse(
        ctx,
        channel="wechat",
        external_id=openid,
        event=event_for,
        seen_key=key,
        chat_id=openid,
        photo=photo,
        on_refused=_refused,
        after=remember_choices,
    )
    if turn is None:
        return None
    return "\n\n".join(as_text(r.text, r.as_dict()["choices"], turn.locale) for r in turn.replies)


def _refused(error: ValidationFailed, locale: str | None) -> list[Reply] | None:
    """Unbound or over the limit: say so; an unreadable picture goes on to the dialog as one."""
    if error.code in ("photo_needs_binding", "photo_too_many"):
        return refuse_photo(error, locale)
    return None


async def _picture(ctx: Context, media_id: str) -> bytes:
    """The picture's bytes from the media API, or b"" (answered like any unreadable input)."""
    if not media_id:
        return b""
    try:
        return await client_for(ctx.settings).media(media_id, ctx.settings.max_photo_bytes)
    except Exception:  # a picture we cannot fetch is answered like any unreadable input
        log.warning("WeChat media %s could not be fetched", media_id, exc_info=True)
        return b""


async def _queue_late(ctx: Context, openid: str, key: str, task: asyncio.Task) -> None:
    """The conversation missed the passive window: send its answer as a customer-service message."""
    if task.cancelled() or task.exception() is not None or not task.result():
        return
    async with unit_of_work(ctx.sessions) as s:
        account = await get_or_create_account(s, clock=ctx.clock, channel="wechat", external_id=openid)
        await outbox.enqueue(
            s,
            clock=ctx.clock,
            dedupe_key=f"wechat:late:{key}",
            channel="wechat",
            channel_account_id=account.id,
            resident_id=account.resident_id,
            text=task.result(),
            kind="reply",
        )
