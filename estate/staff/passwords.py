"""Staff passwords: argon2 hashes (computed off the event loop), the minimum length, setting and changing them."""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.ext.asyncio import AsyncSession

from estate.core.clock import Clock
from estate.core.errors import NotFound, ValidationFailed
from estate.staff.audit import audit
from estate.staff.models import Staff

_hasher = PasswordHasher()
DUMMY_HASH = _hasher.hash("not-a-real-password")
MIN_PASSWORD = 8


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


async def hash_off_loop(password: str) -> str:
    # argon2 takes tens of milliseconds of CPU: in a thread, so sign-ins never stall the event loop.
    return await asyncio.to_thread(hash_password, password)


async def verify_off_loop(password_hash: str, password: str) -> bool:
    return await asyncio.to_thread(verify_password, password_hash, password)


def check_length(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise ValidationFailed("password_too_short", min=MIN_PASSWORD)


async def set_password(
    session: AsyncSession, *, clock: Clock, staff_id: int, password: str, by_staff_id: int | None = None
) -> None:
    """Set a new password (a staff member's own change, or an admin's reset)."""
    staff = await session.get(Staff, staff_id)
    if staff is None:
        raise NotFound("staff_not_found")
    check_length(password)
    staff.password_hash = await hash_off_loop(password)
    staff.session_version += 1  # signed-in sessions end (the console re-issues the changer's own)
    await audit(
        session,
        clock=clock,
        staff_id=by_staff_id or staff_id,
        action="staff.password",
        target_type="staff",
        target_id=staff.username,
    )


async def change_password(session: AsyncSession, *, clock: Clock, staff_id: int, old: str, new: str) -> None:
    """A staff member changes their own password; the old one must be right."""
    staff = await session.get(Staff, staff_id)
    if staff is None or not await verify_off_loop(staff.password_hash, old):
        raise ValidationFailed("wrong_password")
    await set_password(session, clock=clock, staff_id=staff_id, password=new)
