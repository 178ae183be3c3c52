"""Binding a chat identity to a resident: one-time codes (stored hashed) or a shared phone number.

Wrong codes are counted per chat account, per client address (web chat) and over the whole
installation: after too many failures within `window` the account, the address or everybody is
locked out until the window has passed, and even a right code is refused meanwhile without saying
whether it was right (a new chat session per few guesses must not help a guesser). Text that does
not have the shape of a code is not a guess and is not counted. A code is redeemed by a conditional
update, so of several accounts racing with one code exactly one wins.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from estate.core.clock import Clock
from estate.core.db import insert_for
from estate.core.errors import NotFound
from estate.messaging.models import ChannelAccount
from estate.residents.models import BindingAttempt, BindingCode, Resident, Unit
from estate.residents.service import residents_by_phone, residents_of_unit
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


@dataclass(frozen=True)
class BindResult:
    ok: bool
    reason: str  # ok | invalid | expired | used | locked | busy (address or overall limit) | not_a_code | no_match
    resident: Resident | None = None
    attempts_left: int = 0


async def get_or_create_account(
    session: AsyncSession,
    *,
    clock: Clock,
    channel: str,
    external_id: str,
    chat_id: str | None = None,
    display_name: str | None = None,
    locale: str | None = None,
) -> ChannelAccount:
    """The account of that chat identity, created on first contact (safe when two updates race)."""
    await session.execute(
        insert_for(session)(ChannelAccount)
        .values(
            channel=channel,
            external_id=str(external_id),
            chat_id=chat_id or str(external_id),
            display_name=display_name,
            locale=locale,
            blocked=False,
            created_at=clock.now(),
        )
        .on_conflict_do_nothing(index_elements=["channel", "external_id"])
    )
    account = (
        await session.execute(
            select(ChannelAccount)
            .where(ChannelAccount.channel == channel, ChannelAccount.external_id == str(external_id))
            .execution_options(populate_existing=True)
        )
    ).scalar_one()
    return account


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


async def _failures(
    session: AsyncSession, since, *, account_id: int | None = None, address: str | None = None
) -> int:
    """Failed attempts since `since`: of one account, of one client address (codes), or of everybody (codes)."""
    stmt = (
        select(func.count())
        .select_from(BindingAttempt)
        .where(BindingAttempt.success.is_(False), BindingAttempt.at > since)
    )
    if account_id is not None:
        stmt = stmt.where(BindingAttempt.channel_account_id == account_id)
    else:
        stmt = stmt.where(BindingAttempt.method == "code")
        if address is not None:
            stmt = stmt.where(BindingAttempt.client_address == address)
    return int((await session.execute(stmt)).scalar_one())


async def _attempt(
    session: AsyncSession,
    *,
    clock: Clock,
    account_id: int,
    method: str,
    success: bool,
    address: str | None = None,
) -> None:
    session.add(
        BindingAttempt(
            channel_account_id=account_id,
            at=clock.now(),
            method=method,
            success=success,
            client_address=address[:64] if address else None,
        )
    )
    await session.flush()


async def _bind(
    session: AsyncSession, *, clock: Clock, account: ChannelAccount, resident: Resident, method: str
) -> BindResult:
    account.resident_id = resident.id
    account.bound_at = clock.now()
    if account.locale and not resident.locale:
        resident.locale = account.locale
    await _attempt(session, clock=clock, account_id=account.id, method=method, success=True)
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
    account = await session.get(ChannelAccount, account_id)
    if account is None:
        raise NotFound("account_not_found")
    if not looks_like_code(code):
        return BindResult(False, "not_a_code", attempts_left=max_attempts)
    now = clock.now()
    since = now - window
    failures = await _failures(session, since, account_id=account_id)
    if failures >= max_attempts:
        return BindResult(False, "locked", attempts_left=0)
    if (
        client_address is not None
        and await _failures(session, since, address=client_address) >= max_per_address
    ) or await _failures(session, since) >= max_overall:
        return BindResult(False, "busy", attempts_left=0)

    async def failed(reason: str) -> BindResult:
        await _attempt(
            session, clock=clock, account_id=account_id, method="code", success=False, address=client_address
        )
        return BindResult(False, reason, attempts_left=max(0, max_attempts - failures - 1))

    row = (
        await session.execute(select(BindingCode).where(BindingCode.code_hash == hash_code(code, secret)))
    ).scalar_one_or_none()
    reason = (
        "invalid"
        if row is None
        else "used"
        if row.used_at is not None
        else "expired"
        if row.expires_at <= now
        else "ok"
    )
    if reason != "ok" or row is None:
        return await failed(reason)
    resident = await session.get(Resident, row.resident_id)
    if resident is None or not resident.active:
        return await failed("invalid")
    # Only the update that finds the code unused redeems it: concurrent redeemers wait for the row lock
    # and then see it used (PostgreSQL re-checks the condition), so exactly one account is bound.
    won = await session.execute(
        update(BindingCode)
        .where(BindingCode.id == row.id, BindingCode.used_at.is_(None))
        .values(used_at=now, used_by_account_id=account_id)
        .execution_options(synchronize_session=False)
    )
    if won.rowcount != 1:  # type: ignore[attr-defined]
        return await failed("used")
    return await _bind(session, clock=clock, account=account, resident=resident, method="code")


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
    account = await session.get(ChannelAccount, account_id)
    if account is None:
        raise NotFound("account_not_found")
    failures = await _failures(session, clock.now() - window, account_id=account_id)
    if failures >= max_attempts:
        return BindResult(False, "locked", attempts_left=0)
    matches = await residents_by_phone(session, phone)
    if not matches:
        await _attempt(session, clock=clock, account_id=account_id, method="phone", success=False)
        return BindResult(False, "no_match", attempts_left=max(0, max_attempts - failures - 1))
    return await _bind(session, clock=clock, account=account, resident=matches[0], method="phone")


async def unbind(
    session: AsyncSession, *, clock: Clock, account_id: int, staff_id: int | None = None
) -> None:
    """Detach the chat identity from its resident (by the resident, or by staff in the console)."""
    account = await session.get(ChannelAccount, account_id)
    if account is None:
        raise NotFound("account_not_found")
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


async def accounts_of_unit(session: AsyncSession, *, unit_id: int) -> list[tuple[ChannelAccount, Resident]]:
    """Chat bindings of a unit's residents (for the unit's page in the console)."""
    rows = await session.execute(
        select(ChannelAccount, Resident)
        .join(Resident, Resident.id == ChannelAccount.resident_id)
        .where(Resident.unit_id == unit_id)
    )
    return [(a, r) for a, r in rows.all()]
