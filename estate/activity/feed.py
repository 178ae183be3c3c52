"""The console's event feed: domain code records what open console pages should show at once, and the live
console (server-sent events) reads what is new since the last event a page has seen.

Kinds: `live_waiting` (a resident asked for a person), `live_message` (a resident wrote in a live chat),
`live_claimed`, `live_closed`, `ticket_message` (a resident added words or a photo to a ticket),
`ticket_urged` (催单), `ticket_urgent` (a new urgent ticket), `ticket_changed` (staff changed a ticket).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from estate.activity.models import ConsoleEvent

KEEP = timedelta(days=2)  # a page that was away longer reloads instead of catching up


async def publish(
    session: AsyncSession,
    *,
    at: datetime,
    estate_id: int,
    kind: str,
    ticket_id: int | None = None,
    live_chat_id: int | None = None,
    staff_id: int | None = None,
) -> None:
    """Record one event in the unit of work that caused it (so it exists exactly when its cause does)."""
    session.add(
        ConsoleEvent(
            estate_id=estate_id,
            kind=kind,
            ticket_id=ticket_id,
            live_chat_id=live_chat_id,
            staff_id=staff_id,
            at=at,
        )
    )
    await session.flush()


async def events_after(
    session: AsyncSession, *, after: int, estate_ids: list[int], limit: int = 100
) -> list[ConsoleEvent]:
    """The events after id `after` of these estates, oldest first."""
    rows = await session.execute(
        select(ConsoleEvent)
        .where(ConsoleEvent.id > after, ConsoleEvent.estate_id.in_(estate_ids))
        .order_by(ConsoleEvent.id)
        .limit(limit)
    )
    return list(rows.scalars())


async def latest_id(session: AsyncSession) -> int:
    """The newest event's id (0 when there is none): where a freshly opened page starts listening."""
    row = await session.execute(select(ConsoleEvent.id).order_by(ConsoleEvent.id.desc()).limit(1))
    return row.scalar_one_or_none() or 0


async def prune(session: AsyncSession, *, now: datetime) -> int:
    """Forget events older than `KEEP`; returns how many were removed."""
    result = await session.execute(delete(ConsoleEvent).where(ConsoleEvent.at < now - KEEP))
    return result.rowcount or 0  # type: ignore[attr-defined]


async def last_id_before(session: AsyncSession, *, at: datetime) -> int:
    """The id of the newest event recorded before `at` (0 when none): where a page rendered at `at` starts
    listening, so that nothing recorded between its rendering and its connecting is missed."""
    row = await session.execute(
        select(ConsoleEvent.id).where(ConsoleEvent.at < at).order_by(ConsoleEvent.id.desc()).limit(1)
    )
    return row.scalar_one_or_none() or 0
