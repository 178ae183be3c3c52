"""One message from the page held as a turn of the conversation, with both sides kept in the chat's history."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncSession

from bot.inbound import NoAccount, Photo, PhotoRefused, converse, raise_refusal
from bot.webchat.answers import PHOTO_STATUS, error, locale_of, reply_json
from bot.webchat.incoming import read_message, session_id_of
from dialogs.types import Event, Reply
from estate.core.context import Context
from estate.messaging.models import ChannelAccount, WebChatMessage
from locales import N_, Translator

PHOTO_SENT = N_("(photo)")


def event_of(photo: bool, text: Any, choice: Any, command: Any, hint: str | None) -> tuple[Event, str]:
    """The dialog event of what the page sent, and the line the chat shows for it."""
    if photo:
        return Event(kind="photo", locale_hint=hint), Translator(hint)(PHOTO_SENT)
    if isinstance(choice, str) and choice.strip():
        return Event(kind="choice", payload=choice.strip(), locale_hint=hint), choice.strip()
    if isinstance(command, str) and command.strip():
        shown = "/" + command.strip().lstrip("/")
        return Event(kind="command", command=command.strip(), locale_hint=hint), shown
    return Event(kind="text", text=str(text).strip(), locale_hint=hint), str(text).strip()


async def store_replies(
    s: AsyncSession, ctx: Context, account: ChannelAccount, replies: list[Reply]
) -> list[tuple[WebChatMessage, Reply]]:
    """Keep the replies in the chat's history (the poll shows them again after a reload)."""
    stored = []
    for reply in replies:
        row = WebChatMessage(
            channel_account_id=account.id,
            direction="out",
            text=reply.text,
            payload=reply.as_dict(),
            created_at=ctx.clock.now(),
        )
        s.add(row)
        stored.append((row, reply))
    await s.flush()
    return stored


async def send_message(ctx: Context, request: Request) -> JSONResponse:
    """One message from the page: read it, hold the conversation, answer with the replies."""
    session_id = session_id_of(request)
    read = await read_message(request, ctx, session_id)
    if isinstance(read, JSONResponse):
        return read
    (text, choice, command), photo = read
    hint = locale_of(request) if request.headers.get("accept-language") else None
    event, shown = event_of(photo is not None, text, choice, command, hint)
    stored: list[tuple[WebChatMessage, Reply]] = []

    async def record_in(s: AsyncSession, account: ChannelAccount, event: Event) -> None:
        s.add(
            WebChatMessage(
                channel_account_id=account.id, direction="in", text=shown, created_at=ctx.clock.now()
            )
        )

    async def record_out(s: AsyncSession, account: ChannelAccount, replies: list[Reply]) -> None:
        stored.extend(await store_replies(s, ctx, account, replies))

    if session_id is None:
        return error(request, "no_session", 401)
    try:
        await converse(
            ctx,
            channel="webchat",
            external_id=session_id,
            create=False,
            # The address counts binding guesses across sessions (one session per few must not help).
            event=replace(event, client_address=request.client.host if request.client else None),
            photo=Photo(photo) if photo is not None else None,
            on_refused=raise_refusal,
            before=record_in,
            after=record_out,
        )
    except NoAccount:
        return error(request, "no_session", 401)
    except PhotoRefused as refused:
        why = refused.error
        return error(request, why.code, PHOTO_STATUS.get(why.code, 415), **why.params)
    return JSONResponse({"replies": [reply_json(row.id, reply) for row, reply in stored]})
