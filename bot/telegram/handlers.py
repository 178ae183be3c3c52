"""Telegram updates -> dialog events, one database session per update, replies sent back at once."""

from __future__ import annotations

import logging

from aiogram import Bot, Router
from aiogram.types import CallbackQuery, Message

from bot.media import store_photo
from bot.telegram.render import markup
from dialogs.engine import handle
from dialogs.types import Event, Reply
from estate.binding import get_or_create_account
from estate.context import Context
from estate.db import unit_of_work
from estate.errors import ValidationFailed
from locales import N_, Translator

log = logging.getLogger("desk.telegram")
PHOTO_TOO_LARGE = N_("That photo is too large. Please send one under {max_mb} MB.")
NOT_A_PHOTO = N_("That file is not a photo we can use. Please send a JPEG, PNG, GIF or WebP picture.")
NOT_YOUR_CONTACT = N_("Please share your own phone number with the button, not someone else's contact.")


async def _run(
    ctx: Context,
    bot: Bot,
    *,
    user,
    chat_id: int,
    event: Event,
    photo_file_id: str | None = None,
    photo_size: int | None = None,
) -> None:
    """Handle one event in one unit of work, then send the replies."""
    settings = ctx.settings
    replies: list[Reply] = []
    locale = None
    async with unit_of_work(ctx.sessions) as s:
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
            if photo_size is not None and photo_size > settings.max_photo_bytes:
                replies = [Reply(t(PHOTO_TOO_LARGE, max_mb=settings.max_photo_bytes // (1024 * 1024)))]
            else:
                file = await bot.get_file(photo_file_id)
                data = await bot.download_file(file.file_path or "")
                try:
                    attachment = await store_photo(
                        s,
                        clock=ctx.clock,
                        data_dir=settings.data_dir,
                        data=data.read() if data else b"",
                        max_bytes=settings.max_photo_bytes,
                    )
                    event = Event(kind="photo", attachment_id=attachment.id, locale_hint=event.locale_hint)
                except ValidationFailed as exc:
                    message = PHOTO_TOO_LARGE if exc.code == "photo_too_large" else NOT_A_PHOTO
                    replies = [Reply(t(message, **exc.params))]
        if not replies:
            replies = await handle(s, ctx=ctx, account=account, event=event)
        locale = account.locale or event.locale_hint
    for reply in replies:
        await bot.send_message(chat_id, reply.text, reply_markup=markup(reply.as_dict(), locale))


def build_router(ctx: Context) -> Router:
    router = Router(name="residents")

    @router.message()
    async def on_message(message: Message, bot: Bot) -> None:
        user = message.from_user
        if user is None or user.is_bot:
            return
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
                photo_file_id=largest.file_id,
                photo_size=largest.file_size,
            )
            return
        else:
            event = Event(kind="text", text="", locale_hint=hint)
        await _run(ctx, bot, user=user, chat_id=message.chat.id, event=event)

    @router.callback_query()
    async def on_choice(query: CallbackQuery, bot: Bot) -> None:
        await query.answer()
        if query.message is None or query.data is None:
            return
        event = Event(kind="choice", payload=query.data, locale_hint=query.from_user.language_code)
        await _run(ctx, bot, user=query.from_user, chat_id=query.message.chat.id, event=event)

    return router
