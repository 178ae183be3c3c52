"""The outbox (DESIGN §5): every message to a resident is a row with a unique dedupe key.

Inserting is "on conflict do nothing", so a job that runs twice, or in two processes, queues a
message once. Claiming and leases are in `estate.messaging.leases`, the outcome of a try in
`estate.messaging.outcomes`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from estate.core.clock import Clock
from estate.core.db import insert_for
from estate.messaging.accounts import accounts_of_resident
from estate.messaging.models import OutboundMessage, OutboxStatus
from estate.messaging.quiet import send_from
from estate.residents.models import Resident

# Bound parameters per statement: SQLite before 3.32 allows 999, later ones 32,766; asyncpg allows 32,767.
MAX_PARAMETERS = 32_000 if sqlite3.sqlite_version_info >= (3, 32, 0) else 999
MAX_ROWS_PER_INSERT = 1_000


def _row(now: datetime, fields: dict[str, Any]) -> dict[str, Any]:
    """An outbox row's column values: `fields` are `enqueue`'s keyword arguments, the rest take defaults."""
    return dict(
        dedupe_key=fields["dedupe_key"],
        channel=fields["channel"],
        channel_account_id=fields.get("channel_account_id"),
        resident_id=fields.get("resident_id"),
        kind=fields.get("kind", "message"),
        text=fields["text"],
        payload=fields.get("payload"),
        urgent=fields.get("urgent", False),
        status=OutboxStatus.PENDING,
        attempts=0,
        not_before=fields.get("not_before") or now,
        created_at=now,
        ticket_id=fields.get("ticket_id"),
        notice_id=fields.get("notice_id"),
    )


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
    values = _row(
        clock.now(),
        dict(
            dedupe_key=dedupe_key,
            channel=channel,
            channel_account_id=channel_account_id,
            resident_id=resident_id,
            kind=kind,
            text=text,
            payload=payload,
            urgent=urgent,
            not_before=not_before,
            ticket_id=ticket_id,
            notice_id=notice_id,
        ),
    )
    stmt = (
        insert_for(session)(OutboundMessage)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
    )
    result = await session.execute(stmt.returning(OutboundMessage.id))
    return result.scalar_one_or_none() is not None


async def enqueue_many(session: AsyncSession, *, clock: Clock, rows: Iterable[dict[str, Any]]) -> list[str]:
    """Queue many messages with multi-row inserts; returns the dedupe keys newly queued.

    Each row holds `enqueue`'s keyword arguments. As with `enqueue`, a dedupe key queued before is
    skipped ("on conflict do nothing"); a key repeated within `rows` is queued once, from its first row.
    Rows go in chunks small enough for the database's limit on bound parameters.
    """
    now = clock.now()
    unique: dict[str, dict[str, Any]] = {}
    for fields in rows:
        unique.setdefault(fields["dedupe_key"], fields)
    values = [_row(now, fields) for fields in unique.values()]
    if not values:
        return []
    # One statement compiled once, run with many parameter sets: SQLAlchemy sends them as multi-row
    # INSERTs ("insertmanyvalues"); each chunk here also stays within the bound-parameter limit.
    stmt = (
        insert_for(session)(OutboundMessage.__table__)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(OutboundMessage.__table__.c.dedupe_key)
    )
    size = max(1, min(MAX_ROWS_PER_INSERT, MAX_PARAMETERS // len(values[0])))
    queued: list[str] = []
    for start in range(0, len(values), size):
        queued += (await session.execute(stmt, values[start : start + size])).scalars().all()
    return queued


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
