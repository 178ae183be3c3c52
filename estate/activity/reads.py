"""What a staff member has read: a ticket or live chat opened after the resident's latest activity is read.

`mark_read` records the moment a staff member opened something; `unread` tells, for a page of rows, which
ones have resident activity newer than that staff member's mark (or any activity and no mark at all).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from estate.activity.models import StaffRead
from estate.core.db import insert_for

TICKET = "ticket"
LIVE = "live"


async def mark_read(
    session: AsyncSession, *, staff_id: int, subject: str, subject_id: int, at: datetime
) -> None:
    """Record that the staff member has seen the ticket (or live chat) as it was at `at`."""
    stmt = insert_for(session)(StaffRead).values(
        staff_id=staff_id, subject=subject, subject_id=subject_id, read_at=at
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=["staff_id", "subject", "subject_id"], set_={"read_at": at}
    )
    await session.execute(stmt)


async def unread(
    session: AsyncSession, *, staff_id: int, subject: str, activity: Mapping[int, datetime | None]
) -> set[int]:
    """The ids among `activity` (id -> the resident's latest activity) that this staff member has not read."""
    active = {i: at for i, at in activity.items() if at is not None}
    if not active:
        return set()
    marks = await _marks(session, staff_id=staff_id, subject=subject, ids=active)
    return {i for i, at in active.items() if marks.get(i) is None or marks[i] < at}


async def _marks(
    session: AsyncSession, *, staff_id: int, subject: str, ids: Iterable[int]
) -> dict[int, datetime]:
    rows = await session.execute(
        select(StaffRead.subject_id, StaffRead.read_at).where(
            StaffRead.staff_id == staff_id, StaffRead.subject == subject, StaffRead.subject_id.in_(list(ids))
        )
    )
    return {subject_id: read_at for subject_id, read_at in rows.all()}
