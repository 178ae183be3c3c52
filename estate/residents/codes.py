"""Binding codes: their shape, their hash (only the hash is stored), issuing one, and redeeming one exactly once."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from estate.core.clock import Clock
from estate.core.errors import NotFound
from estate.residents.models import BindingCode, Unit
from estate.residents.service import residents_of_unit
from estate.staff.audit import audit

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: easy to read off a printed bill
CODE_LENGTH = 8


def normalise_code(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def looks_like_code(text: str) -> bool:
    """Whether the text has the shape of a binding code (8 letters and digits, spaces and dashes aside)."""
    code = normalise_code(text)
    return len(code) == CODE_LENGTH and code.isascii() and code.isalnum()


def hash_code(code: str, secret: str) -> str:
    return hmac.new(secret.encode(), normalise_code(code).encode(), hashlib.sha256).hexdigest()


async def issue_binding_code(
    session: AsyncSession,
    *,
    clock: Clock,
    unit_id: int,
    secret: str,
    resident_id: int | None = None,
    staff_id: int | None = None,
    ttl: timedelta = timedelta(hours=72),
) -> str:
    """A fresh one-time code for a unit's resident (the owner by default); only its hash is stored."""
    unit = await session.get(Unit, unit_id)
    if unit is None:
        raise NotFound("unit_not_found")
    if resident_id is None:
        residents = await residents_of_unit(session, unit_id)
        if not residents:
            raise NotFound("no_resident")
        resident_id = residents[0].id
    code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    now = clock.now()
    session.add(
        BindingCode(
            unit_id=unit_id,
            resident_id=resident_id,
            code_hash=hash_code(code, secret),
            created_at=now,
            expires_at=now + ttl,
            created_by_staff_id=staff_id,
        )
    )
    await session.flush()
    await audit(
        session,
        clock=clock,
        staff_id=staff_id,
        action="binding.code_issued",
        target_type="unit",
        target_id=unit.code,
    )
    return code


async def find_code(
    session: AsyncSession, code: str, secret: str, *, now: datetime
) -> tuple[BindingCode | None, str]:
    """The stored code and whether it can be redeemed: ok, invalid, used or expired."""
    row = (
        await session.execute(select(BindingCode).where(BindingCode.code_hash == hash_code(code, secret)))
    ).scalar_one_or_none()
    if row is None:
        return None, "invalid"
    if row.used_at is not None:
        return row, "used"
    if row.expires_at <= now:
        return row, "expired"
    return row, "ok"


async def redeem(session: AsyncSession, row: BindingCode, *, account_id: int, now: datetime) -> bool:
    """Mark the code used by the account; False when another account redeemed it first.

    Only the update that finds the code unused redeems it: concurrent redeemers wait for the row lock
    and then see it used (PostgreSQL re-checks the condition), so exactly one account is bound.
    """
    won = await session.execute(
        update(BindingCode)
        .where(BindingCode.id == row.id, BindingCode.used_at.is_(None))
        .values(used_at=now, used_by_account_id=account_id)
        .execution_options(synchronize_session=False)
    )
    return won.rowcount == 1  # type: ignore[attr-defined]
