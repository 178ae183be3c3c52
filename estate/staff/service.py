"""Staff accounts: argon2 password hashes, roles and departments."""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from estate.core.clock import Clock
from estate.core.errors import Conflict, NotFound, ValidationFailed
from estate.staff.audit import audit
from estate.staff.models import Department, Role, Staff

_hasher = PasswordHasher()
_DUMMY = _hasher.hash("not-a-real-password")
MIN_PASSWORD = 8


def normalize_username(username: str) -> str:
    """The form in which user names are stored and looked up (sign-in and its rate limit both use it)."""
    return username.strip().lower()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


async def _hash(password: str) -> str:
    # argon2 takes tens of milliseconds of CPU: in a thread, so sign-ins never stall the event loop.
    return await asyncio.to_thread(hash_password, password)


async def _verify(password_hash: str, password: str) -> bool:
    return await asyncio.to_thread(verify_password, password_hash, password)


def _validate(role: str, department: str | None, password: str | None) -> None:
    if role not in set(Role):
        raise ValidationFailed("bad_role", role=role)
    if department is not None and department not in set(Department):
        raise ValidationFailed("bad_department", department=department)
    if role == Role.TECHNICIAN and department is None:
        raise ValidationFailed("technician_needs_department")
    if password is not None and len(password) < MIN_PASSWORD:
        raise ValidationFailed("password_too_short", min=MIN_PASSWORD)


async def create_staff(
    session: AsyncSession,
    *,
    clock: Clock,
    username: str,
    display_name: str,
    role: str,
    password: str,
    department: str | None = None,
    estate_id: int | None = None,
    phone: str | None = None,
    by_staff_id: int | None = None,
) -> Staff:
    """Add a staff member; user names are unique."""
    username = normalize_username(username)
    if not username:
        raise ValidationFailed("missing_username")
    _validate(role, department, password)
    if (await session.execute(select(Staff.id).where(Staff.username == username))).first() is not None:
        raise Conflict("username_taken", username=username)
    staff = Staff(
        username=username,
        display_name=display_name.strip() or username,
        role=role,
        department=department,
        estate_id=estate_id,
        password_hash=await _hash(password),
        phone=phone,
        active=True,
        created_at=clock.now(),
    )
    session.add(staff)
    await session.flush()
    await audit(
        session,
        clock=clock,
        staff_id=by_staff_id,
        action="staff.create",
        target_type="staff",
        target_id=username,
        detail={"role": role},
    )
    return staff


async def authenticate(session: AsyncSession, *, username: str, password: str) -> Staff | None:
    """The active staff member with these credentials, or None (a dummy hash is checked for unknown names)."""
    staff = (
        await session.execute(select(Staff).where(Staff.username == normalize_username(username)))
    ).scalar_one_or_none()
    if staff is None or not staff.active:
        await _verify(_DUMMY, password)
        return None
    return staff if await _verify(staff.password_hash, password) else None


async def set_password(
    session: AsyncSession, *, clock: Clock, staff_id: int, password: str, by_staff_id: int | None = None
) -> None:
    """Set a new password (a staff member's own change, or an admin's reset)."""
    staff = await session.get(Staff, staff_id)
    if staff is None:
        raise NotFound("staff_not_found")
    if len(password) < MIN_PASSWORD:
        raise ValidationFailed("password_too_short", min=MIN_PASSWORD)
    staff.password_hash = await _hash(password)
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
    if staff is None or not await _verify(staff.password_hash, old):
        raise ValidationFailed("wrong_password")
    await set_password(session, clock=clock, staff_id=staff_id, password=new)


async def end_sessions(session: AsyncSession, *, staff_id: int) -> None:
    """Sign the staff member out everywhere: cookies carrying the old session version stop working."""
    staff = await session.get(Staff, staff_id)
    if staff is not None:
        staff.session_version += 1


async def staff_by_role(session: AsyncSession, *, role: str, estate_id: int | None = None) -> list[Staff]:
    stmt = select(Staff).where(Staff.role == role, Staff.active.is_(True)).order_by(Staff.id)
    if estate_id is not None:
        stmt = stmt.where((Staff.estate_id == estate_id) | Staff.estate_id.is_(None))
    return list((await session.execute(stmt)).scalars())


async def technicians(session: AsyncSession, *, department: str | None = None) -> list[Staff]:
    stmt = (
        select(Staff)
        .where(Staff.role == Role.TECHNICIAN, Staff.active.is_(True))
        .order_by(Staff.department, Staff.id)
    )
    if department is not None:
        stmt = stmt.where(Staff.department == department)
    return list((await session.execute(stmt)).scalars())
