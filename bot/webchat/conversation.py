"""One message from the page held as a turn of the conversation, with both sides kept in the chat's history."""

from __future__ import annotations

from dataclasses import replace

from fastapi import Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.inbound import NoAccount, Photo, PhotoRefused, converse, raise_refusal
from bot.webchat.answers import PHOTO_STATUS, answer_json, earlier_answer, error, locale_of
from bot.webchat.incoming import Sent, find_account, label_of, read_message, session_id_of
from dialogs.types import Event, Reply
from estate.core.context import Context
from estate.core.db import unit_of_work
from estate.messaging.models import ChannelAccount, WebChatMessage
from locales import N_, Translator

PHOTO_SENT = N_("(photo)")


class Answered(Exception):
    """The message's client_id was answered before: the replies then given are the answer, nothing runs again."""


def event_of(sent: Sent, hint: str | None) -> tuple[Event, str]:
    """The dialog event of what the page sent, and the line the chat shows for it (a choice's label comes
    from the choices offered, see `record_in`)."""
    if sent.photo is not None:
        return Event(kind="photo", locale_hint=hint), Translator(hint)(PHOTO_SENT)
    choice, command, text = sent.choice, sent.command, sent.text
    if isinstance(choice, str) and choice.strip():
        return Event(
            kind="choice", payload=choice.strip(), offer=sent.offer, locale_hint=hint
        ), choice.strip()
    if isinstance(command, str) and command.strip():
        shown = "/" + command.strip().lstrip("/")
        return Event(kind="command", command=command.strip(), locale_hint=hint), shown
    return Event(kind="text", text=str(text).strip(), locale_hint=hint), str(text).strip()


async def store_replies(
    s: AsyncSession, ctx: Context, account: ChannelAccount, replies: list[Reply]
) -> list[WebChatMessage]:
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
        stored.append(row)
    await s.flush()
    return stored


async def answered_before(ctx: Context, session_id: str, client_id: str) -> list[dict] | None:
    """The replies already given to this client_id in this chat (a retry), or None."""
    async with unit_of_work(ctx.sessions) as s:  # in turn with the writers (SQLite), see api.poll
        account = await find_account(s, ctx, session_id)
        return None if account is None else await earlier_answer(s, account.id, client_id)


async def send_message(ctx: Context, request: Request) -> JSONResponse:
    """One message from the page: read it, hold the conversation, answer with the replies.

    A message whose client_id this chat has sent before is answered with the replies given then; the check
    runs again inside the turn (the conversation's lock on PostgreSQL, the writer lock on SQLite), and the
    unique (chat, client_id) is the last guard against two identical requests at once."""
    session_id = session_id_of(request)
    sent = await read_message(request, ctx, session_id)
    if isinstance(sent, JSONResponse):
        return sent
    if session_id is None:
        return error(request, "no_session", 401)
    if sent.client_id is not None:
        earlier = await answered_before(ctx, session_id, sent.client_id)
        if earlier is not None:
            return JSONResponse({"replies": earlier})
    try:
        stored = await _converse(ctx, request, session_id, sent)
    except NoAccount:
        return error(request, "no_session", 401)
    except PhotoRefused as refused:
        why = refused.error
        return error(request, why.code, PHOTO_STATUS.get(why.code, 415), **why.params)
    except (Answered, IntegrityError):
        earlier = await answered_before(ctx, session_id, sent.client_id) if sent.client_id else None
        if earlier is None:
            raise
        return JSONResponse({"replies": earlier})
    return JSONResponse({"replies": [answer_json(row) for row in stored]})


async def _converse(ctx: Context, request: Request, session_id: str, sent: Sent) -> list[WebChatMessage]:
    """Run the message through the dialog, keeping it and its replies in the chat's history."""
    hint = locale_of(request) if request.headers.get("accept-language") else None
    event, shown = event_of(sent, hint)
    asked: list[WebChatMessage] = []
    stored: list[WebChatMessage] = []

    async def record_in(s: AsyncSession, account: ChannelAccount, event: Event) -> None:
        if sent.client_id is not None and await earlier_answer(s, account.id, sent.client_id) is not None:
            raise Answered(sent.client_id)  # sent while the first was being handled: nothing runs twice
        row = WebChatMessage(
            channel_account_id=account.id,
            direction="in",
            text=await label_of(s, account, event.payload)
            if event.kind == "choice" and event.payload
            else shown,
            created_at=ctx.clock.now(),
            client_id=sent.client_id,
        )
        s.add(row)
        await s.flush()  # the same client_id sent at once (a chat's first message) waits here, then fails
        asked.append(row)

    async def record_out(s: AsyncSession, account: ChannelAccount, replies: list[Reply]) -> None:
        stored.extend(await store_replies(s, ctx, account, replies))
        asked[0].payload = {"replies": [row.id for row in stored]}  # what a retry is answered with

    await converse(
        ctx,
        channel="webchat",
        external_id=session_id,
        create=False,
        # The address counts binding guesses across sessions (one session per few must not help).
        event=replace(event, client_address=request.client.host if request.client else None),
        photo=Photo(sent.photo) if sent.photo is not None else None,
        on_refused=raise_refusal,
        before=record_in,
        after=record_out,
    )
    return stored
