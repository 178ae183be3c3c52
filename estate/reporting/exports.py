"""The ticket export: every ticket as one row of a table, as the console offers it for download."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from estate.residents.models import Unit
from estate.tickets.models import Ticket

TICKET_COLUMNS = [
    "ref",
    "kind",
    "category",
    "status",
    "urgency",
    "unit",
    "location",
    "description",
    "created_at",
    "dispatched_at",
    "resolved_at",
    "result",
    "escalation_level",
]


def _local(at: datetime | None, tz: ZoneInfo) -> str:
    return at.astimezone(tz).strftime("%Y-%m-%d %H:%M") if at else ""


async def ticket_table(
    session: AsyncSession, *, tz: ZoneInfo, technician_id: int | None = None
) -> tuple[list[str], list[list[Any]]]:
    """Every ticket (or only one technician's work) as a header and rows, times in `tz`, oldest first."""
    stmt = select(Ticket, Unit.code).outerjoin(Unit, Unit.id == Ticket.unit_id).order_by(Ticket.id)
    if technician_id is not None:
        stmt = stmt.where(Ticket.technician_id == technician_id)
    rows = [
        [
            t.ref,
            t.kind,
            t.category,
            t.status,
            t.urgency,
            code or "",
            t.location_text or "",
            t.description,
            _local(t.created_at, tz),
            _local(t.dispatched_at, tz),
            _local(t.resolved_at, tz),
            t.result or "",
            t.escalation_level,
        ]
        for t, code in (await session.execute(stmt)).all()
    ]
    return list(TICKET_COLUMNS), rows
