"""A residents import where an owner's phone changed updates that owner (same row, same bindings) instead of
adding a second one; two different people of the same name in one unit stay two."""

from __future__ import annotations

from sqlalchemy import select

from estate.residents.archive import import_residents
from estate.residents.models import Resident
from tests.support.factories import make_world


async def residents_of(s, unit_id: int) -> list[tuple[int, str, str | None]]:
    rows = await s.execute(select(Resident).where(Resident.unit_id == unit_id).order_by(Resident.id))
    return [(r.id, r.name, r.phone) for r in rows.scalars()]


async def test_a_changed_phone_updates_the_owner_instead_of_adding_one(sessions, clock):
    async with sessions() as s, s.begin():
        world = await make_world(s, at=clock.now())
        owner = world.resident  # Zhang San, 13800138000, bound to a chat
        rows = [{"unit": "1-101", "name": "Zhang San", "phone": "139 0013 9000", "role": "owner"}]
        report = await import_residents(s, clock=clock, estate_id=world.estate.id, rows=rows)
        assert (report.created, report.updated) == (0, 1)
        assert await residents_of(s, world.unit.id) == [(owner.id, "Zhang San", "13900139000")]
        assert world.account.resident_id == owner.id  # the chat stays bound to the same resident


async def test_the_same_file_twice_still_changes_nothing(sessions, clock):
    async with sessions() as s, s.begin():
        world = await make_world(s, at=clock.now())
        rows = [
            {"unit": "1-101", "name": "Zhang San", "phone": "13900139000", "role": "owner"},
            {"unit": "1-101", "name": "Li Si", "phone": "13700137000", "role": "tenant"},
        ]
        await import_residents(s, clock=clock, estate_id=world.estate.id, rows=rows)
        again = await import_residents(s, clock=clock, estate_id=world.estate.id, rows=rows)
        assert (again.created, again.updated) == (0, 2)
        assert [(n, p) for _, n, p in await residents_of(s, world.unit.id)] == [
            ("Zhang San", "13900139000"),
            ("Li Si", "13700137000"),
        ]


async def test_two_people_of_one_name_in_a_unit_stay_two(sessions, clock):
    async with sessions() as s, s.begin():
        world = await make_world(s, at=clock.now())
        rows = [
            {"unit": "1-101", "name": "Zhang San", "phone": "13800138000", "role": "owner"},
            {"unit": "1-101", "name": "Zhang San", "phone": "13600136000", "role": "tenant"},  # his son
        ]
        report = await import_residents(s, clock=clock, estate_id=world.estate.id, rows=rows)
        assert (report.created, report.updated) == (1, 1)
        assert [p for _, _, p in await residents_of(s, world.unit.id)] == ["13800138000", "13600136000"]
