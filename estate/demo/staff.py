"""The demo's staff, one of every role, signing in with the demo password."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from estate.core.clock import Clock
from estate.staff.models import Staff
from estate.staff.passwords import hash_password
from estate.staff.service import create_staff


async def seed_staff(s: AsyncSession, data: dict, *, clock: Clock, estate_id: int, password: str) -> None:
    """Create the demo staff, or set their password again (so a changed DESK_DEMO_PASSWORD works)."""
    for m in data["staff"]:
        existing = (
            await s.execute(select(Staff).where(Staff.username == m["username"]))
        ).scalar_one_or_none()
        if existing is None:
            await create_staff(
                s,
                clock=clock,
                username=m["username"],
                display_name=m["display_name"],
                role=m["role"],
                department=m.get("department"),
                password=password,
                estate_id=estate_id,
            )
        else:
            existing.password_hash = hash_password(password)
            existing.active = True
