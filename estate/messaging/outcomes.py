"""The outcome of one try to send an outbox row: sent, failed (retried with backoff or for good),
handed back untried, or blocked by the resident."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, update
from sqlalchemy.ext.asyncio import AsyncSession

from estate.core.clock import Clock
from estate.messaging.models import ChannelAccount, OutboundMessage, OutboxStatus

MAX_ATTEMPTS = 8


async def _set(session: AsyncSession, message_id: int, allowed: tuple[str, ...], **values: Any) -> bool:
    result = await session.execute(
        update(OutboundMessage)
        .where(OutboundMessage.id == message_id, OutboundMessage.status.in_(allowed))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


async def mark_sent(
    session: AsyncSession, *, clock: Clock, message_id: int, external_id: str | None = None
) -> bool:
    return await _set(
        session,
        message_id,
        (OutboxStatus.ATTEMPTING, OutboxStatus.CLAIMED, OutboxStatus.UNKNOWN),
        status=OutboxStatus.SENT,
        sent_at=clock.now(),
        lease_until=None,
        external_id=external_id,
        last_error=None,
    )


async def mark_failed(
    session: AsyncSession,
    *,
    clock: Clock,
    message_id: int,
    error: str,
    retry_at: datetime | None = None,
    max_attempts: int = MAX_ATTEMPTS,
) -> str:
    """A failed try: back to pending for `retry_at` (with backoff), or `failed` for good after max_attempts."""
    message = await session.get(OutboundMessage, message_id, populate_existing=True)
    if message is None:
        return "missing"
    final = retry_at is None or message.attempts >= max_attempts
    status = OutboxStatus.FAILED if final else OutboxStatus.PENDING
    await _set(
        session,
        message_id,
        (OutboxStatus.ATTEMPTING, OutboxStatus.CLAIMED),
        status=status,
        lease_until=None,
        lease_owner=None,
        last_error=error[:2000],
        not_before=retry_at or message.not_before,
    )
    return status


def backoff(attempts: int, *, base: float = 5.0, cap: float = 3600.0) -> timedelta:
    """Exponential backoff for retries: 5 s, 10 s, 20 s … at most an hour."""
    return timedelta(seconds=min(cap, base * (2 ** max(0, attempts - 1))))


async def release(
    session: AsyncSession, *, clock: Clock, message_id: int, not_before: datetime | None = None
) -> bool:
    """Hand a row back untried (e.g. after a 429 that said the message was not accepted); the try is not counted."""
    return await _set(
        session,
        message_id,
        (OutboxStatus.ATTEMPTING, OutboxStatus.CLAIMED),
        status=OutboxStatus.PENDING,
        lease_until=None,
        lease_owner=None,
        not_before=not_before or clock.now(),
        attempts=case((OutboundMessage.attempts > 0, OutboundMessage.attempts - 1), else_=0),
    )


async def mark_blocked(
    session: AsyncSession, *, clock: Clock, message_id: int, error: str = "blocked"
) -> None:
    """The resident blocked us (Telegram 403): mark the account and hold all its queued messages."""
    message = await session.get(OutboundMessage, message_id)
    if message is None:
        return
    await _set(
        session,
        message_id,
        (OutboxStatus.ATTEMPTING, OutboxStatus.CLAIMED),
        status=OutboxStatus.BLOCKED,
        lease_until=None,
        last_error=error,
    )
    if message.channel_account_id is not None:
        account = await session.get(ChannelAccount, message.channel_account_id)
        if account is not None:
            account.blocked = True
        await session.execute(
            update(OutboundMessage)
            .where(
                OutboundMessage.channel_account_id == message.channel_account_id,
                OutboundMessage.status.in_([OutboxStatus.PENDING, OutboxStatus.CLAIMED]),
            )
            .values(status=OutboxStatus.BLOCKED, last_error=error)
        )
