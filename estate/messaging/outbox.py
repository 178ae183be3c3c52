"""The outbox (DESIGN §5): every message to a resident is a row with a unique dedupe key.

Inserting is "on conflict do nothing", so a job that runs twice, or in two processes, queues a
message once. Claiming, leases and the reaper live further down this module.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import case, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from estate.core.clock import Clock
from estate.core.db import insert_for
from estate.messaging.accounts import accounts_of_resident
from estate.messaging.models import ChannelAccount, OutboundMessage, OutboxStatus
from estate.messaging.quiet import send_from
from estate.residents.models import Resident


async def enqueue(
    session: AsyncSession,
    *,
    clock: Clock,
    dedupe_key: str,
    channel: str,
    text: str,
    channel_account_id: int | None = None,
    resident_id: int | None = None,
    kind: str = "message",
    payload: dict[str, Any] | None = None,
    urgent: bool = False,
    not_before: datetime | None = None,
    ticket_id: int | None = None,
    notice_id: int | None = None,
) -> bool:
    """Queue one message; False when a message with this dedupe key was queued before."""
    now = clock.now()
    values = dict(
        dedupe_key=dedupe_key,
        channel=channel,
        channel_account_id=channel_account_id,
        resident_id=resident_id,
        kind=kind,
        text=text,
        payload=payload,
        urgent=urgent,
        status=OutboxStatus.PENDING,
        attempts=0,
        not_before=not_before or now,
        created_at=now,
        ticket_id=ticket_id,
        notice_id=notice_id,
    )
    stmt = (
        insert_for(session)(OutboundMessage)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
    )
    result = await session.execute(stmt.returning(OutboundMessage.id))
    return result.scalar_one_or_none() is not None


async def enqueue_to_resident(
    session: AsyncSession,
    *,
    clock: Clock,
    resident_id: int,
    key: str,
    text_for: Callable[[str | None], str],
    kind: str = "message",
    payload: dict[str, Any] | None = None,
    urgent: bool = False,
    quiet: tuple[ZoneInfo, int, int] | None = None,
    prefer_account_id: int | None = None,
    ticket_id: int | None = None,
    notice_id: int | None = None,
    all_accounts: bool = False,
) -> int:
    """Queue a message to a resident on their channel; returns how many rows were newly queued.

    `text_for(locale)` renders the text in the resident's language (the account's locale, else the
    resident's). The message goes to `prefer_account_id` when that account is still bound (the channel
    the resident used), else to the most recently used account, or to every account with `all_accounts`.
    The dedupe key is `<key>:<channel>:<account id>`. With `quiet=(tz, start, end)` a non-urgent message
    waits for the end of quiet hours.
    """
    resident = await session.get(Resident, resident_id)
    if resident is None:
        return 0
    accounts = await accounts_of_resident(session, resident_id)
    if not accounts:
        return 0
    if not all_accounts:
        preferred = [a for a in accounts if a.id == prefer_account_id]
        accounts = preferred or accounts[:1]
    not_before = send_from(clock.now(), quiet=quiet, urgent=urgent)
    queued = 0
    for account in accounts:
        text = text_for(account.locale or resident.locale)
        inserted = await enqueue(
            session,
            clock=clock,
            dedupe_key=f"{key}:{account.channel}:{account.id}",
            channel=account.channel,
            channel_account_id=account.id,
            resident_id=resident_id,
            text=text,
            kind=kind,
            payload=payload,
            urgent=urgent,
            not_before=not_before,
            ticket_id=ticket_id,
            notice_id=notice_id,
        )
        queued += int(inserted)
    return queued


# ---------------------------------------------------------------- claiming, leases and outcomes
#
# A sender claims rows (status `claimed`, with a lease), then, for each row, commits `attempting`
# just before the network call and `sent` right after it. A crash leaves either `claimed` rows,
# which the reaper hands back (they were never tried), or `attempting` rows, which become
# `unknown`: they may have reached the resident, so they are shown to staff, never resent blindly.

MAX_ATTEMPTS = 8


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


async def _set(session: AsyncSession, message_id: int, allowed: tuple[str, ...], **values: Any) -> bool:
    result = await session.execute(
        update(OutboundMessage)
        .where(OutboundMessage.id == message_id, OutboundMessage.status.in_(allowed))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


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
