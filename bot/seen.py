"""Inbound messages already handled: a channel's redelivery (Telegram update_id, WeChat MsgId) counts once.

The mark is written in the same transaction as the message's effect, so a message whose handling
failed is not marked and is handled again when the channel retries it.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import bindparam
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from estate.core.clock import Clock
from estate.messaging.models import InboundSeen


@cache
def _mark(dialect: str) -> Any:
    """The mark's INSERT, built once per dialect with bound parameters."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return (
        insert(InboundSeen)
        .values(channel=bindparam("channel"), message_key=bindparam("key"), at=bindparam("at"))
        .on_conflict_do_nothing(index_elements=["channel", "message_key"])
        .returning(InboundSeen.id)
    )


async def first_time(session: AsyncSession, *, clock: Clock, channel: str, key: str) -> bool:
    """Mark the message seen; False when it was marked before (a redelivery: do nothing again)."""
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    params = {"channel": channel, "key": key[:128], "at": clock.now()}
    result = await session.execute(_mark(dialect), params)
    return result.scalar_one_or_none() is not None
