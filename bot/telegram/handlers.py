"""Telegram updates -> dialog events, one database session per update, replies sent back at once.

Only private chats are served: a group or channel is nobody's home, and binding one would send a
resident's reminders to everybody in it. Each update_id is handled once, marked in the transaction
of its effect, so a redelivered update does not open a second request.
"""

from __future__ import annotations

import logging

from aiogram import Bot, Router
from aiogram.types import CallbackQuery, Message, Update

from bot.inbound import Photo, converse
from bot.media import may_store
from bot.telegram.render import markup
from dialogs.types import Event
from estate.core.context import Context
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
    photo = None
    if photo_file_id is not None:
        photo = Photo(b"", photo_size)
        if (photo_size is None or photo_size <= ctx.settings.max_photo_bytes) and await may_store(
            ctx.sessions, clock=ctx.clock, settings=ctx.settings, channel="telegram", external_id=str(user.id)
        ):
            file = await bot.get_file(photo_file_id)
            downloaded = await bot.download_file(file.file_path or "")
            photo = Photo(downloaded.read() if downloaded else b"", photo_size)
    turn = await converse(
        ctx,
        channel="telegram",
        external_id=str(user.id),
        event=event,
        seen_key=str(update_id),
        chat_id=str(chat_id),
        display_name=user.full_name,
        photo=photo,
    )
    if turn is None:
        return  # a redelivered update: handled already
    for reply in turn.replies:
        await bot.send_message(chat_id, reply.text, reply_markup=markup(reply.as_dict(), turn.locale))


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
