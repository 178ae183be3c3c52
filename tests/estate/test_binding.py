"""Binding codes: one-time, expiring, hashed, and limited after wrong attempts."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from estate.messaging.accounts import get_or_create_account
from estate.messaging.models import ChannelAccount
from estate.residents.binding import bind_with_code, bind_with_phone, unbind
from estate.residents.codes import issue_binding_code
from estate.residents.models import BindingCode
from tests.support.factories import make_world

SECRET = "s3cret"


async def _account(s, clock, ext="tg-42"):
    return await get_or_create_account(s, clock=clock, channel="telegram", external_id=ext)


async def test_code_binds_once_and_is_stored_hashed(sessions, clock):
    async with sessions() as s, s.begin():
        world = await make_world(s, at=clock.now())
        code = await issue_binding_code(s, clock=clock, unit_id=world.unit.id, secret=SECRET)
        stored = (await s.execute(select(BindingCode))).scalar_one()
        assert code not in stored.code_hash and len(code) == 8
        acc = await _account(s, clock)
        result = await bind_with_code(s, clock=clock, account_id=acc.id, code=code.lower(), secret=SECRET)
        assert result.ok and result.resident.id == world.resident.id and acc.resident_id == world.resident.id
        other = await _account(s, clock, "tg-43")
        again = await bind_with_code(s, clock=clock, account_id=other.id, code=code, secret=SECRET)
    assert (again.ok, again.reason) == (False, "used")


async def test_expired_code_is_refused(sessions, clock):
    async with sessions() as s, s.begin():
        world = await make_world(s, at=clock.now())
        code = await issue_binding_code(
            s, clock=clock, unit_id=world.unit.id, secret=SECRET, ttl=timedelta(hours=1)
        )
        clock.advance(hours=2)
        acc = await _account(s, clock)
        result = await bind_with_code(s, clock=clock, account_id=acc.id, code=code, secret=SECRET)
    assert (result.ok, result.reason) == (False, "expired")


async def test_wrong_codes_are_counted_and_limited(sessions, clock):
    async with sessions() as s, s.begin():
        world = await make_world(s, at=clock.now())
        code = await issue_binding_code(s, clock=clock, unit_id=world.unit.id, secret=SECRET)
        acc = await _account(s, clock)
        lefts = []
        for _ in range(5):
            r = await bind_with_code(
                s, clock=clock, account_id=acc.id, code="WRONG123", secret=SECRET, max_attempts=5
            )
            lefts.append((r.reason, r.attempts_left))
        locked = await bind_with_code(
            s, clock=clock, account_id=acc.id, code=code, secret=SECRET, max_attempts=5
        )
        assert lefts == [("invalid", 4), ("invalid", 3), ("invalid", 2), ("invalid", 1), ("invalid", 0)]
        assert (locked.ok, locked.reason) == (False, "locked")  # even the right code, while locked
        clock.advance(hours=1, minutes=1)
        later = await bind_with_code(
            s, clock=clock, account_id=acc.id, code=code, secret=SECRET, max_attempts=5
        )
    assert later.ok


async def test_phone_from_the_contact_button_binds_when_it_is_in_the_archive(sessions, clock):
    async with sessions() as s, s.begin():
        world = await make_world(s, at=clock.now())
        acc = await _account(s, clock)
        miss = await bind_with_phone(s, clock=clock, account_id=acc.id, phone="13700000000")
        hit = await bind_with_phone(s, clock=clock, account_id=acc.id, phone="+8613800138000")
        assert (miss.reason, hit.ok, hit.resident.id) == ("no_match", True, world.resident.id)
        await unbind(s, clock=clock, account_id=acc.id, staff_id=world.staff["agent"].id)
        stored = await s.get(ChannelAccount, acc.id)
    assert stored.resident_id is None


async def test_first_contact_creates_one_account(sessions, clock):
    async with sessions() as s, s.begin():
        a = await _account(s, clock)
        b = await _account(s, clock)
    assert a.id == b.id
