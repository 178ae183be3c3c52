"""Messages to the resident of a live chat, on the chat account they wrote from, through the outbox."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncSession

from estate.core.clock import Clock
from estate.livechat.models import LiveChat
from estate.messaging.models import ChannelAccount
from estate.messaging.outbox import enqueue
from estate.residents.models import Resident
from locales import Translator, normalize_locale


async def locale_of(session: AsyncSession, account: ChannelAccount) -> str:
    """The chat's language: the account's choice, else its resident's, else the default."""
    resident = await session.get(Resident, account.resident_id) if account.resident_id else None
    return normalize_locale(account.locale or (resident.locale if resident else None))


async def tell(
    session: AsyncSession,
    *,
    clock: Clock,
    chat: LiveChat,
    key: str,
    text_for: Callable[[Translator], str],
    payload: dict | None = None,
) -> bool:
    """Queue one message of the live chat to its account (deduplicated by `live:<chat>:<key>`)."""
    account = await session.get(ChannelAccount, chat.channel_account_id)
    if account is None or account.blocked:
        return False
    text = text_for(Translator(await locale_of(session, account)))
    return await enqueue(
        session,
        clock=clock,
        dedupe_key=f"live:{chat.id}:{key}",
        channel=account.channel,
        channel_account_id=account.id,
        resident_id=account.resident_id,
        kind="live",
        text=text,
        payload=payload,
        urgent=True,  # a person is answering now: never held back for quiet hours
    )
