"""How the outbox stands: message counts per channel and status, and the newest rows (`desk outbox list`)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from estate.messaging.models import OutboundMessage


async def outbox_counts(session: AsyncSession, *, notice_id: int | None = None) -> dict[tuple[str, str], int]:
    """How many messages per (channel, status), for one notice or for everything."""
    stmt = select(OutboundMessage.channel, OutboundMessage.status, func.count()).group_by(
        OutboundMessage.channel, OutboundMessage.status
    )
    if notice_id is not None:
        stmt = stmt.where(OutboundMessage.notice_id == notice_id)
    return {(c, s): int(n) for c, s, n in (await session.execute(stmt)).all()}


async def list_outbox(
    session: AsyncSession, *, status: str | None = None, limit: int = 100
) -> list[OutboundMessage]:
    stmt = select(OutboundMessage).order_by(OutboundMessage.id.desc()).limit(limit)
    if status:
        stmt = stmt.where(OutboundMessage.status == status)
    return list((await session.execute(stmt)).scalars())
