"""Binding attempts: each try is recorded, and wrong ones are limited.

Wrong codes are counted per chat account, per client address (web chat) and over the whole
installation: after too many failures within the window the account, the address or everybody is
locked out until the window has passed, and even a right code is refused meanwhile without saying
whether it was right (a new chat session per few guesses must not help a guesser). Text that does
not have the shape of a code is not a guess and is not counted.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from estate.core.clock import Clock
from estate.residents.models import BindingAttempt


async def failures(
    session: AsyncSession, since: datetime, *, account_id: int | None = None, address: str | None = None
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


async def code_guessing_busy(
    session: AsyncSession, since: datetime, *, address: str | None, max_per_address: int, max_overall: int
) -> bool:
    """Whether wrong codes from this client address, or from everybody, have reached their limit."""
    if address is not None and await failures(session, since, address=address) >= max_per_address:
        return True
    return await failures(session, since) >= max_overall


async def record_attempt(
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
