"""The language a resident chooses for a chat (the web chat's language switch)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from estate.core.errors import ValidationFailed
from estate.messaging.models import ChannelAccount
from estate.residents.models import Resident
from locales import LOCALES


async def set_chat_locale(session: AsyncSession, *, account: ChannelAccount, locale: str) -> None:
    """Replies, reminders and the page itself use `locale` from now on; the bound resident's language
    follows, as when the language is chosen in the conversation (dialogs/flows/lang.py)."""
    if locale not in LOCALES:
        raise ValidationFailed("bad_locale")
    account.locale = locale
    if account.resident_id is not None:
        resident = await session.get(Resident, account.resident_id)
        if resident is not None:
            resident.locale = locale
    await session.flush()
