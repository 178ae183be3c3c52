"""Staff accounts: user names, roles and departments; creating staff, switching them off and on, and
finding them (all of them, or by role)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from estate.core.clock import Clock
from estate.core.errors import Conflict, ValidationFailed
from estate.staff.audit import audit
from estate.staff.models import Department, Role, Staff
from estate.staff.passwords import check_length, hash_off_loop


def normalize_username(username: str) -> str:
    """The form in which user names are stored and looked up (sign-in and its rate limit both use it)."""
    return username.strip().lower()


def _validate(role: str, department: str | None, password: str | None) -> None:
    if role not in set(Role):
        raise ValidationFailed("bad_role", role=role)
    if department is not None and department not in set(Department):
        raise ValidationFailed("bad_department", department=department)
    if role == Role.TECHNICIAN and department is None:
        raise ValidationFailed("technician_needs_department")
    if password is not None:
        check_length(password)


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
        password_hash=await hash_off_loop(password),
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


async def all_staff(session: AsyncSession) -> list[Staff]:
    """Every staff account, active or not, in the order they were added."""
    return list((await session.execute(select(Staff).order_by(Staff.id))).scalars())


async def set_active(
    session: AsyncSession, *, clock: Clock, staff_id: int, active: bool, by_staff_id: int
) -> Staff | None:
    """Switch an account off or on (audited); nobody switches their own account. None: no such other account."""
    member = await session.get(Staff, staff_id)
    if member is None or member.id == by_staff_id:
        return None
    member.active = active
    await audit(
        session,
        clock=clock,
        staff_id=by_staff_id,
        action="staff.active",
        target_type="staff",
        target_id=member.username,
        detail={"active": member.active},
    )
    return member


async def staff_by_role(session: AsyncSession, *, role: str, estate_id: int | None = None) -> list[Staff]:
    """Active staff with this role, those of the estate (or of every estate) when one is given."""
    stmt = select(Staff).where(Staff.role == role, Staff.active.is_(True)).order_by(Staff.id)
    if estate_id is not None:
        stmt = stmt.where((Staff.estate_id == estate_id) | Staff.estate_id.is_(None))
    return list((await session.execute(stmt)).scalars())


async def technicians(session: AsyncSession, *, department: str | None = None) -> list[Staff]:
    """Active technicians, by department, of one department when one is given."""
    stmt = (
        select(Staff)
        .where(Staff.role == Role.TECHNICIAN, Staff.active.is_(True))
        .order_by(Staff.department, Staff.id)
    )
    if department is not None:
        stmt = stmt.where(Staff.department == department)
    return list((await session.execute(stmt)).scalars())
