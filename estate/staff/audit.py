"""The audit log of staff actions."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from estate.core.clock import Clock
from estate.staff.models import AuditLog


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
