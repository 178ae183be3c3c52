"""Inbound messages already handled: a channel's redelivery (Telegram update_id, WeChat MsgId) counts once.

The mark is written in the same transaction as the message's effect, so a message whose handling
failed is not marked and is handled again when the channel retries it.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from estate.core.clock import Clock
from estate.core.db import insert_for
from estate.messaging.models import InboundSeen


async def first_time(session: AsyncSession, *, clock: Clock, channel: str, key: str) -> bool:
    """Mark the message seen; False when it was marked before (a redelivery: do nothing again)."""
    result = await session.execute(
        insert_for(session)(InboundSeen)
        .values(channel=channel, message_key=key[:128], at=clock.now())
        .on_conflict_do_nothing(index_elements=["channel", "message_key"])
        .returning(InboundSeen.id)
    )
    return result.scalar_one_or_none() is not None
