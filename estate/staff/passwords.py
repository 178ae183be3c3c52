"""Staff passwords: argon2 hashes (computed off the event loop), the rules a new one must meet, setting and
changing them.

A new password has at least MIN_PASSWORD characters, does not contain the staff member's user name, and is
not common or easy to guess. "Common" is judged by zxcvbn (Dropbox's estimator, a maintained PyPI package):
its dictionaries hold the 30,000 most common leaked passwords, English words and names, keyboard walks,
repeats and sequences; we add the words Chinese users favour (`estate/data/common_passwords_zh.txt`). A
password zxcvbn scores below MIN_SCORE (guessable in under 10^8 tries) is refused.
"""

from __future__ import annotations

import asyncio
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.ext.asyncio import AsyncSession
from zxcvbn import zxcvbn

from estate.core.clock import Clock
from estate.core.errors import NotFound, ValidationFailed
from estate.staff.audit import audit
from estate.staff.models import Staff

_hasher = PasswordHasher()
DUMMY_HASH = _hasher.hash("not-a-real-password")
MIN_PASSWORD = 10
MIN_SCORE = 3  # zxcvbn's "safely unguessable" (at least 10^8 guesses): a slow hash's offline attack included
CHINESE_WORDS = Path(__file__).resolve().parents[1] / "data" / "common_passwords_zh.txt"


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


@cache
def chinese_words() -> tuple[str, ...]:
    """The extra dictionary of words common in Chinese users' passwords."""
    lines = CHINESE_WORDS.read_text(encoding="utf-8").splitlines()
    return tuple(w for w in (line.split("#", 1)[0].strip().lower() for line in lines) if w)


def check_new_password(password: str, *, username: str) -> None:
    """ValidationFailed, with the reason as its code, unless `password` may be a staff member's new password:
    long enough (password_too_short), without the user name (password_is_login), not common (password_common)."""
    check_length(password)
    login = username.strip().lower()
    if login and login in password.lower():
        raise ValidationFailed("password_is_login")
    # zxcvbn works on the first 100 characters; that is plenty to judge a password by
    if zxcvbn(password[:100], user_inputs=list(chinese_words()))["score"] < MIN_SCORE:
        raise ValidationFailed("password_common")


async def set_password(
    session: AsyncSession, *, clock: Clock, staff_id: int, password: str, by_staff_id: int | None = None
) -> None:
    """Set a new password (a staff member's own change, or an admin's reset) that meets the rules."""
    staff = await session.get(Staff, staff_id)
    if staff is None:
        raise NotFound("staff_not_found")
    check_new_password(password, username=staff.username)
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
