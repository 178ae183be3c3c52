"""Telegram updates -> dialog events, one database session per update, replies sent back at once.

Only private chats are served: a group or channel is nobody's home, and binding one would send a
resident's reminders to everybody in it. Each update_id is handled once, marked in the transaction
of its effect, so a redelivered update does not open a second request.
"""

from __future__ import annotations

import logging

from aiogram import Bot, Router
from aiogram.types import CallbackQuery, Message, Update

from bot.media import check_allowance, may_store, photo_message, store_photo
from bot.seen import first_time
from bot.telegram.render import markup
from dialogs.engine import handle
from dialogs.types import Event, Reply
from estate.binding import get_or_create_account
from estate.context import Context
from estate.db import unit_of_work
from estate.errors import ValidationFailed
from locales import N_, Translator

log = logging.getLogger("desk.telegram")
NOT_YOUR_CONTACT = N_("Please share your own phone number with the button, not someone else's contact.")


async def _run(
    ctx: Context,
    bot: Bot,
    *,
    user,
    chat_id: int,
    event: Event,
    update_id: int,
    photo_file_id: str | None = None,
    photo_size: int | None = None,
) -> None:
    """Handle one event in one unit of work, then send the replies."""
    settings = ctx.settings
    replies: list[Reply] = []
    locale = None
    data = b""
    if (
        photo_file_id is not None
        and (photo_size is None or photo_size <= settings.max_photo_bytes)
        and await may_store(
            ctx.sessions, clock=ctx.clock, settings=settings, channel="telegram", external_id=str(user.id)
        )
    ):
        file = await bot.get_file(photo_file_id)
        downloaded = await bot.download_file(file.file_path or "")
        data = downloaded.read() if downloaded else b""
    async with unit_of_work(ctx.sessions) as s:
        if not await first_time(s, clock=ctx.clock, channel="telegram", key=str(update_id)):
            return  # a redelivered update: handled already
        account = await get_or_create_account(
            s,
            clock=ctx.clock,
            channel="telegram",
            external_id=str(user.id),
            chat_id=str(chat_id),
            display_name=user.full_name,
        )
        account.chat_id = str(chat_id)
        account.blocked = False  # they wrote to us, so they have not blocked the bot
        t = Translator(account.locale or event.locale_hint)
        if photo_file_id is not None:
            try:
                await check_allowance(s, clock=ctx.clock, settings=settings, account=account)
                if photo_size is not None and photo_size > settings.max_photo_bytes:
                    raise ValidationFailed(
                        "photo_too_large", max_mb=settings.max_photo_bytes // (1024 * 1024)
                    )
                attachment = await store_photo(
                    s, clock=ctx.clock, settings=settings, account=account, data=data
                )
                event = Event(kind="photo", attachment_id=attachment.id, locale_hint=event.locale_hint)
            except ValidationFailed as exc:
                replies = [Reply(photo_message(t.locale, exc))]
        if not replies:
            replies = await handle(s, ctx=ctx, account=account, event=event)
        locale = account.locale or event.locale_hint
    for reply in replies:
        await bot.send_message(chat_id, reply.text, reply_markup=markup(reply.as_dict(), locale))


def build_router(ctx: Context) -> Router:
    router = Router(name="residents")

    @router.message()
    async def on_message(message: Message, bot: Bot, event_update: Update) -> None:
        user = message.from_user
        if user is None or user.is_bot or message.chat.type != "private":
            return
        update_id = event_update.update_id
        hint = user.language_code
        if message.text and message.text.startswith("/"):
            event = Event(kind="command", command=message.text.split()[0][1:], locale_hint=hint)
        elif message.text:
            event = Event(kind="text", text=message.text, locale_hint=hint)
        elif message.contact:
            if message.contact.user_id != user.id:
                await message.answer(Translator(hint)(NOT_YOUR_CONTACT))
                return
            event = Event(kind="contact", phone=message.contact.phone_number, locale_hint=hint)
        elif message.photo:
            largest = message.photo[-1]
            await _run(
                ctx,
                bot,
                user=user,
                chat_id=message.chat.id,
                event=Event(kind="photo", locale_hint=hint),
                update_id=update_id,
                photo_file_id=largest.file_id,
                photo_size=largest.file_size,
            )
            return
        else:
            event = Event(kind="text", text="", locale_hint=hint)
        await _run(ctx, bot, user=user, chat_id=message.chat.id, event=event, update_id=update_id)

    @router.callback_query()
    async def on_choice(query: CallbackQuery, bot: Bot, event_update: Update) -> None:
        await query.answer()
        if query.message is None or query.data is None or query.message.chat.type != "private":
            return
        event = Event(kind="choice", payload=query.data, locale_hint=query.from_user.language_code)
        await _run(
            ctx,
            bot,
            user=query.from_user,
            chat_id=query.message.chat.id,
            event=event,
            update_id=event_update.update_id,
        )

    return router
