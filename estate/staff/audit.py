"""The audit log of staff actions: recording one, and reading it a page at a time."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from estate.core.clock import Clock
from estate.staff.models import AuditLog, Staff

AUDIT_PAGE_SIZE = 100


async def audit(
    session: AsyncSession,
    *,
    clock: Clock,
    staff_id: int | None,
    action: str,
    target_type: str | None = None,
    target_id: int | str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditLog:
    """Record that a staff member (or the system, staff_id None) did something."""
    row = AuditLog(
        at=clock.now(),
        staff_id=staff_id,
        action=action,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id),
        detail=detail,
    )
    session.add(row)
    await session.flush()
    return row


async def audit_page(
    session: AsyncSession, *, before: int = 0, size: int = AUDIT_PAGE_SIZE
) -> tuple[list[Any], int | None]:
    """The newest `size` entries (older than id `before`, if given) with the staff member's name, and the id to
    pass as `before` for the next page (None on the last)."""
    stmt = (
        select(AuditLog, Staff.display_name)
        .outerjoin(Staff, Staff.id == AuditLog.staff_id)
        .order_by(AuditLog.id.desc())
        .limit(size)
    )
    if before:
        stmt = stmt.where(AuditLog.id < before)
    rows = list((await session.execute(stmt)).all())
    return rows, rows[-1][0].id if len(rows) == size else None
