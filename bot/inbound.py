"""The one path of every inbound message (web chat, Telegram, WeChat): in one unit of work, mark the
message seen, find or create the chat's account, store a photo, run the dialog, and return the replies.

What differs per channel stays with the channel and comes in as arguments: the redelivery key
(Telegram `update_id`, WeChat `MsgId`, marked in the transaction of the message's effect, so a message
whose handling failed is handled again when the channel retries it), the event (with the locale hint
and the client address), the photo bytes (downloaded before the transaction, so no lock is held during
a download), what to answer when a photo is refused, and what to record before and after the dialog.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace

from sqlalchemy.ext.asyncio import AsyncSession

from bot.media import check_allowance, photo_message, store_photo
from bot.seen import first_time
from dialogs.engine import handle
from dialogs.types import Event, Reply
from estate.core.context import Context
from estate.core.db import unit_of_work
from estate.core.errors import ValidationFailed
from estate.messaging.accounts import account_with_conversation, find_account, get_or_create_account
from estate.messaging.models import ChannelAccount, Conversation


@dataclass(frozen=True)
class Photo:
    """A photo as the channel received it: its bytes (b"" when it could not or may not be fetched) and
    the size the channel announced, if any (a photo announced too large is not downloaded)."""

    data: bytes
    announced_size: int | None = None


@dataclass(frozen=True)
class Turn:
    """What came of one message: the account, the replies, and the language to show them in."""

    account: ChannelAccount
    replies: list[Reply]
    locale: str | None
    handled: bool  # False: answered without the dialog (a refused photo) or not answered at all


class NoAccount(Exception):
    """The chat has no account and the channel does not create one (a web chat session that expired)."""


class PhotoRefused(Exception):
    """A photo was refused and the channel answers that itself (the web chat, with an HTTP status)."""

    def __init__(self, error: ValidationFailed) -> None:
        super().__init__(error.code)
        self.error = error


def refuse_photo(error: ValidationFailed, locale: str | None) -> list[Reply] | None:
    """The default answer to a refused photo: the resident's sentence for it, instead of the dialog."""
    return [Reply(photo_message(locale, error))]


def raise_refusal(error: ValidationFailed, locale: str | None) -> list[Reply] | None:
    raise PhotoRefused(error)


Refusal = Callable[[ValidationFailed, str | None], list[Reply] | None]  # None: go on without the photo
Before = Callable[[AsyncSession, ChannelAccount, Event], Awaitable[None]]
After = Callable[[AsyncSession, ChannelAccount, list[Reply]], Awaitable[None]]


async def _account(
    s: AsyncSession,
    ctx: Context,
    *,
    channel: str,
    external_id: str,
    create: bool,
    chat_id: str | None,
    display_name: str | None,
) -> tuple[ChannelAccount, Conversation | None]:
    """The chat's account and, in the same query when both exist, its conversation (locked on PostgreSQL)."""
    found = await account_with_conversation(s, channel=channel, external_id=external_id)
    conv = None
    if found is not None:
        account, conv = found
    elif not create:
        missing = await find_account(s, channel=channel, external_id=external_id)
        if missing is None:
            raise NoAccount(channel)
        account = missing
    else:
        account = await get_or_create_account(
            s,
            clock=ctx.clock,
            channel=channel,
            external_id=external_id,
            chat_id=chat_id,
            display_name=display_name,
        )
    if create:
        if chat_id is not None:
            account.chat_id = chat_id
        account.blocked = False  # they wrote to us, so they have not blocked us
    return account, conv


async def _with_photo(
    s: AsyncSession, ctx: Context, account: ChannelAccount, photo: Photo, event: Event
) -> Event:
    """The event with the stored photo; raises ValidationFailed when the photo is refused."""
    settings = ctx.settings
    await check_allowance(s, clock=ctx.clock, settings=settings, account=account)
    if photo.announced_size is not None and photo.announced_size > settings.max_photo_bytes:
        raise ValidationFailed("photo_too_large", max_mb=settings.max_photo_bytes // (1024 * 1024))
    attachment = await store_photo(s, clock=ctx.clock, settings=settings, account=account, data=photo.data)
    return replace(event, kind="photo", attachment_id=attachment.id)


async def converse(
    ctx: Context,
    *,
    channel: str,
    external_id: str,
    event: Event | Callable[[ChannelAccount], Event | None],
    seen_key: str | None = None,
    create: bool = True,
    chat_id: str | None = None,
    display_name: str | None = None,
    photo: Photo | None = None,
    on_refused: Refusal = refuse_photo,
    before: Before | None = None,
    after: After | None = None,
) -> Turn | None:
    """Handle one inbound message in one unit of work; None when `seen_key` was handled before.

    `event` may be a function of the account (WeChat reads a numbered reply against the choices it
    last showed); returning None there answers nothing. Raises NoAccount when `create` is False and
    the chat has no account.
    """
    async with unit_of_work(ctx.sessions) as s:
        if seen_key is not None and not await first_time(s, clock=ctx.clock, channel=channel, key=seen_key):
            return None  # a redelivery: handled already
        account, conv = await _account(
            s,
            ctx,
            channel=channel,
            external_id=external_id,
            create=create,
            chat_id=chat_id,
            display_name=display_name,
        )
        built = event(account) if callable(event) else event
        if built is None:
            return Turn(account, [], account.locale, handled=False)
        if photo is not None:
            try:
                built = await _with_photo(s, ctx, account, photo, built)
            except ValidationFailed as exc:
                refusal = on_refused(exc, account.locale or built.locale_hint)
                if refusal is not None:
                    return Turn(account, refusal, account.locale or built.locale_hint, handled=False)
        if before is not None:
            await before(s, account, built)
        replies = await handle(s, ctx=ctx, account=account, event=built, conversation=conv)
        if after is not None:
            await after(s, account, replies)
        return Turn(account, replies, account.locale or built.locale_hint, handled=True)
