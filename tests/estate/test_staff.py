"""Staff accounts with argon2 hashes."""

from __future__ import annotations

import pytest

from estate.core.errors import Conflict, ValidationFailed
from estate.staff.passwords import change_password
from estate.staff.service import create_staff
from estate.staff.sessions import authenticate


async def test_create_and_authenticate(sessions, clock):
    async with sessions() as s, s.begin():
        staff = await create_staff(
            s, clock=clock, username="Agent1", display_name="小王", role="agent", password="longpassword"
        )
        assert staff.password_hash.startswith("$argon2")
        assert (await authenticate(s, username="agent1", password="longpassword")).id == staff.id
        assert await authenticate(s, username="agent1", password="wrong-password") is None
        assert await authenticate(s, username="nobody", password="longpassword") is None
        with pytest.raises(Conflict):
            await create_staff(
                s, clock=clock, username="agent1", display_name="x", role="agent", password="longpassword"
            )
        with pytest.raises(ValidationFailed):
            await create_staff(
                s, clock=clock, username="t", display_name="t", role="technician", password="longpassword"
            )
        with pytest.raises(ValidationFailed):
            await create_staff(
                s, clock=clock, username="k", display_name="k", role="king", password="longpassword"
            )
        await change_password(s, clock=clock, staff_id=staff.id, old="longpassword", new="another-password")
        assert await authenticate(s, username="agent1", password="another-password") is not None
