"""Claiming outbox rows for a sender, with leases, and the reaper of expired leases.

A sender claims rows (status `claimed`, with a lease), then, for each row, commits `attempting`
just before the network call and `sent` right after it (`estate.messaging.outcomes`). A crash leaves
either `claimed` rows, which the reaper hands back (they were never tried), or `attempting` rows,
which become `unknown`: they may have reached the resident, so they are shown to staff, never
resent blindly.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from estate.core.clock import Clock
from estate.messaging.models import ChannelAccount, OutboundMessage, OutboxStatus


async def claim(
    session: AsyncSession, *, clock: Clock, channel: str, owner: str, limit: int = 50, lease_seconds: int = 60
) -> list[OutboundMessage]:
    """Lease up to `limit` due rows of a channel to `owner`; concurrent claimers never get the same row."""
    now = clock.now()
    pick = (
        select(OutboundMessage.id)
        .where(
            OutboundMessage.channel == channel,
            OutboundMessage.status == OutboxStatus.PENDING,
            OutboundMessage.not_before <= now,
        )
        .order_by(OutboundMessage.urgent.desc(), OutboundMessage.id)
        .limit(limit)
    )
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        # Lock the picked rows in a statement of their own: a LIMIT subquery inside UPDATE ... WHERE id IN
        # may be re-evaluated by PostgreSQL and take more rows than asked. On SQLite the transaction
        # already holds the write lock (BEGIN IMMEDIATE), so nobody can pick between the two statements.
        pick = pick.with_for_update(skip_locked=True)
    ids = list((await session.execute(pick)).scalars())
    if not ids:
        return []
    stmt = (
        update(OutboundMessage)
        .where(OutboundMessage.id.in_(ids), OutboundMessage.status == OutboxStatus.PENDING)
        .values(
            status=OutboxStatus.CLAIMED, lease_owner=owner, lease_until=now + timedelta(seconds=lease_seconds)
        )
        .returning(OutboundMessage)
        .execution_options(synchronize_session=False, populate_existing=True)
    )
    rows = list((await session.scalars(stmt)).all())
    return sorted(rows, key=lambda m: (not m.urgent, m.id))


UNBOUND = "the chat is no longer bound to the resident"


def still_addressed():
    """SQL: the row's chat is still bound to the resident it was queued for (or it was queued for a chat)."""
    return or_(
        OutboundMessage.resident_id.is_(None),
        exists().where(
            ChannelAccount.id == OutboundMessage.channel_account_id,
            ChannelAccount.resident_id == OutboundMessage.resident_id,
        ),
    )


async def mark_attempting(session: AsyncSession, *, clock: Clock, message_id: int, owner: str) -> bool:
    """Commit this just before the network call; False when the lease was lost (do not send then).

    A message queued for a resident whose chat has since been unbound (or bound to someone else) is
    not sent: it is marked failed, and False is returned.
    """
    mine = (
        OutboundMessage.id == message_id,
        OutboundMessage.status == OutboxStatus.CLAIMED,
        OutboundMessage.lease_owner == owner,
    )
    result = await session.execute(
        update(OutboundMessage)
        .where(*mine, still_addressed())
        .values(status=OutboxStatus.ATTEMPTING, attempts=OutboundMessage.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount == 1:  # type: ignore[attr-defined]
        return True
    await session.execute(
        update(OutboundMessage)
        .where(*mine)
        .values(status=OutboxStatus.FAILED, lease_until=None, lease_owner=None, last_error=UNBOUND)
        .execution_options(synchronize_session=False)
    )
    return False


async def reap(session: AsyncSession, *, clock: Clock) -> tuple[int, int]:
    """Expired leases: untried rows go back to pending; rows that may have been sent become unknown."""
    now = clock.now()
    returned = await session.execute(
        update(OutboundMessage)
        .where(OutboundMessage.status == OutboxStatus.CLAIMED, OutboundMessage.lease_until < now)
        .values(status=OutboxStatus.PENDING, lease_until=None, lease_owner=None)
    )
    unknown = await session.execute(
        update(OutboundMessage)
        .where(OutboundMessage.status == OutboxStatus.ATTEMPTING, OutboundMessage.lease_until < now)
        .values(status=OutboxStatus.UNKNOWN, lease_until=None, last_error="lease expired during the send")
    )
    return returned.rowcount, unknown.rowcount  # type: ignore[attr-defined]
