"""What the callbacks page lists: each waiting callback with its ticket, the resident to call and the attempts
made so far, and the callbacks whose resident could not be reached (for the supervisor to decide)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from estate.residents.models import Resident
from estate.tickets.callback_outcomes import attempts_of
from estate.tickets.callbacks import UNREACHABLE, due_callbacks
from estate.tickets.models import CallbackTask, Ticket, TicketStatus


@dataclass(frozen=True)
class CallbackRow:
    callback: CallbackTask
    ticket: Ticket
    resident: Resident | None
    attempts: int  # unreachable calls so far


async def _residents(session: AsyncSession, tickets: list[Ticket]) -> dict[int, Resident]:
    ids = {t.resident_id for t in tickets if t.resident_id is not None}
    if not ids:
        return {}
    rows = await session.execute(select(Resident).where(Resident.id.in_(ids)))
    return {r.id: r for r in rows.scalars()}


async def callback_rows(
    session: AsyncSession, *, now: datetime, estate_id: int | None = None
) -> list[CallbackRow]:
    """Every waiting callback (due or not yet), earliest first, with the resident and the attempts so far."""
    pairs = await due_callbacks(session, now=now, estate_id=estate_id, include_future=True)
    residents = await _residents(session, [t for _, t in pairs])
    attempts = await attempts_of(session, [c for c, _ in pairs])
    return [CallbackRow(c, t, residents.get(t.resident_id or 0), attempts.get(c.id, 0)) for c, t in pairs]


async def unreached_rows(session: AsyncSession, *, estate_id: int | None = None) -> list[CallbackRow]:
    """Callbacks given up as unreachable whose ticket still waits on the supervisor (resolved, not closed)."""
    stmt = (
        select(CallbackTask, Ticket)
        .join(Ticket, Ticket.id == CallbackTask.ticket_id)
        .where(CallbackTask.status == UNREACHABLE, Ticket.status == TicketStatus.RESOLVED)
        .order_by(CallbackTask.done_at)
    )
    if estate_id is not None:
        stmt = stmt.where(Ticket.estate_id == estate_id)
    pairs = [(c, t) for c, t in (await session.execute(stmt)).all()]
    residents = await _residents(session, [t for _, t in pairs])
    return [CallbackRow(c, t, residents.get(t.resident_id or 0), 0) for c, t in pairs]
