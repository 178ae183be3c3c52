"""Dialog replies as Telegram messages: inline keyboards for choices, the contact button for binding."""

from __future__ import annotations

from typing import Any

from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

from locales import N_, Translator

SHARE_PHONE = N_("Share my phone number")
PER_ROW = 2


def keyboard(choices: list[dict[str, str]]) -> InlineKeyboardMarkup | None:
    """Inline buttons, two to a row; payloads longer than Telegram's 64 bytes are left out."""
    buttons = [
        InlineKeyboardButton(text=c["label"], callback_data=c["payload"])
        for c in choices
        if len(c["payload"].encode()) <= 64
    ]
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        inline_keyboard=[buttons[i : i + PER_ROW] for i in range(0, len(buttons), PER_ROW)]
    )


def markup(
    reply: dict[str, Any], locale: str | None
) -> InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | None:
    """The keyboard to send with a reply (a dict as `Reply.as_dict()` or an outbox payload)."""
    if reply.get("request_contact"):
        label = Translator(locale)(SHARE_PHONE)
        return ReplyKeyboardMarkup(
            keyboard=[[KeyboardButton(text=label, request_contact=True)]],
            resize_keyboard=True,
            one_time_keyboard=True,
        )
    return keyboard(reply.get("choices") or [])
