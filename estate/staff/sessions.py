"""Signing staff in and out everywhere: checking credentials, and ending every signed-in session."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from estate.staff.models import Staff
from estate.staff.passwords import DUMMY_HASH, verify_off_loop
from estate.staff.service import normalize_username


async def authenticate(session: AsyncSession, *, username: str, password: str) -> Staff | None:
    """The active staff member with these credentials, or None (a dummy hash is checked for unknown names)."""
    staff = (
        await session.execute(select(Staff).where(Staff.username == normalize_username(username)))
    ).scalar_one_or_none()
    if staff is None or not staff.active:
        await verify_off_loop(DUMMY_HASH, password)
        return None
    return staff if await verify_off_loop(staff.password_hash, password) else None


async def end_sessions(session: AsyncSession, *, staff_id: int) -> None:
    """Sign the staff member out everywhere: cookies carrying the old session version stop working."""
    staff = await session.get(Staff, staff_id)
    if staff is not None:
        staff.session_version += 1
