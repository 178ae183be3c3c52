"""Binding a chat identity to a resident, with a one-time code or a shared phone number, and unbinding it.

The limits on wrong attempts are in `estate.residents.attempts`; the codes themselves in
`estate.residents.codes`. A code is redeemed by a conditional update, so of several accounts racing
with one code exactly one wins.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from estate.core.clock import Clock
from estate.core.errors import NotFound
from estate.messaging.models import ChannelAccount
from estate.residents.attempts import code_guessing_busy, failures, record_attempt
from estate.residents.codes import find_code, looks_like_code, redeem
from estate.residents.models import Resident
from estate.residents.service import residents_by_phone
from estate.staff.audit import audit


@dataclass(frozen=True)
class BindResult:
    ok: bool
    reason: str  # ok | invalid | expired | used | locked | busy (address or overall limit) | not_a_code | no_match
    resident: Resident | None = None
    attempts_left: int = 0


async def _account(session: AsyncSession, account_id: int) -> ChannelAccount:
    account = await session.get(ChannelAccount, account_id)
    if account is None:
        raise NotFound("account_not_found")
    return account


async def _bind(
    session: AsyncSession, *, clock: Clock, account: ChannelAccount, resident: Resident, method: str
) -> BindResult:
    account.resident_id = resident.id
    account.bound_at = clock.now()
    if account.locale and not resident.locale:
        resident.locale = account.locale
    await record_attempt(session, clock=clock, account_id=account.id, method=method, success=True)
    return BindResult(True, "ok", resident=resident)


async def bind_with_code(
    session: AsyncSession,
    *,
    clock: Clock,
    account_id: int,
    code: str,
    secret: str,
    max_attempts: int = 5,
    window: timedelta = timedelta(hours=1),
    client_address: str | None = None,
    max_per_address: int = 20,
    max_overall: int = 300,
) -> BindResult:
    """Bind the account with a one-time code; wrong codes are counted and limited (account, address, overall)."""
    account = await _account(session, account_id)
    if not looks_like_code(code):
        return BindResult(False, "not_a_code", attempts_left=max_attempts)
    now = clock.now()
    since = now - window
    failed_before = await failures(session, since, account_id=account_id)
    if failed_before >= max_attempts:
        return BindResult(False, "locked", attempts_left=0)
    if await code_guessing_busy(
        session, since, address=client_address, max_per_address=max_per_address, max_overall=max_overall
    ):
        return BindResult(False, "busy", attempts_left=0)
    row, reason = await find_code(session, code, secret, now=now)
    if row is not None and reason == "ok":
        resident = await session.get(Resident, row.resident_id)
        if resident is None or not resident.active:
            reason = "invalid"
        elif await redeem(session, row, account_id=account_id, now=now):
            return await _bind(session, clock=clock, account=account, resident=resident, method="code")
        else:
            reason = "used"
    await record_attempt(
        session, clock=clock, account_id=account_id, method="code", success=False, address=client_address
    )
    return BindResult(False, reason, attempts_left=max(0, max_attempts - failed_before - 1))


async def bind_with_phone(
    session: AsyncSession,
    *,
    clock: Clock,
    account_id: int,
    phone: str,
    max_attempts: int = 5,
    window: timedelta = timedelta(hours=1),
) -> BindResult:
    """Bind with a phone number the channel vouches for (Telegram's contact button) that is in the archive."""
    account = await _account(session, account_id)
    failed_before = await failures(session, clock.now() - window, account_id=account_id)
    if failed_before >= max_attempts:
        return BindResult(False, "locked", attempts_left=0)
    matches = await residents_by_phone(session, phone)
    if not matches:
        await record_attempt(session, clock=clock, account_id=account_id, method="phone", success=False)
        return BindResult(False, "no_match", attempts_left=max(0, max_attempts - failed_before - 1))
    return await _bind(session, clock=clock, account=account, resident=matches[0], method="phone")


async def unbind(
    session: AsyncSession, *, clock: Clock, account_id: int, staff_id: int | None = None
) -> None:
    """Detach the chat identity from its resident (by the resident, or by staff in the console)."""
    account = await _account(session, account_id)
    previous = account.resident_id
    account.resident_id = None
    account.bound_at = None
    await session.flush()
    if staff_id is not None:
        await audit(
            session,
            clock=clock,
            staff_id=staff_id,
            action="binding.unbind",
            target_type="account",
            target_id=account.id,
            detail={"resident_id": previous},
        )
