"""Importing the residents archive from CSV (UTF-8 or GBK) and XLSX, with a report of bad rows."""

from __future__ import annotations

from openpyxl import Workbook
from sqlalchemy import func, select

from estate.core.tables import read_table
from estate.residents.archive import import_residents, import_units
from estate.residents.models import Building, Estate, Resident, Unit
from estate.residents.service import normalise_phone, search_residents, vacant_units

UNITS_CSV = (
    "房号,楼栋,面积,入住状态,业主\n"
    "1-101,1,88.5,已入住,张伟\n"
    "1-102,1,120,空置,李娜\n"
    "2-1502,2,95.25,装修中,王芳\n"
    ",2,80,已入住,x\n"
    "2-1503,2,abc,已入住,y\n"
    "2-1504,2,90,月球上,z\n"
)


async def _estate(s):
    estate = Estate(code="XC", name="x", timezone="Asia/Shanghai")
    s.add(estate)
    await s.flush()
    return estate


async def test_units_import_keeps_good_rows_names_bad_ones_and_is_idempotent(sessions, clock, tmp_path):
    path = tmp_path / "units.csv"
    path.write_bytes(UNITS_CSV.encode("gb18030"))  # as exported by Chinese Excel
    rows = read_table(path)
    assert rows[0] == {
        "unit": "1-101",
        "building": "1",
        "area": "88.5",
        "occupancy": "已入住",
        "owner": "张伟",
    }
    progress = []
    async with sessions() as s, s.begin():
        estate = await _estate(s)
        report = await import_units(
            s, clock=clock, estate_id=estate.id, rows=rows, progress=lambda d, t: progress.append((d, t))
        )
    assert (report.created, report.updated) == (3, 0)
    assert [(e.row_number, e.code) for e in report.errors] == [
        (5, "missing_unit"),
        (6, "bad_area"),
        (7, "bad_occupancy"),
    ]
    assert progress[-1] == (6, 6)
    async with sessions() as s, s.begin():
        again = await import_units(s, clock=clock, estate_id=estate.id, rows=rows)
        units = {u.code: u for u in (await s.execute(select(Unit))).scalars()}
        buildings = (await s.execute(select(func.count()).select_from(Building))).scalar_one()
        vacant = await vacant_units(s, estate_id=estate.id)
    assert (again.created, again.updated) == (0, 3)
    assert len(units) == 3 and buildings == 2
    assert units["2-1502"].occupancy == "decorating" and units["2-1502"].floor == 15
    assert [u.code for u in vacant] == ["1-102"]


async def test_residents_import_from_xlsx_validates_phones(sessions, clock, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["Unit", "Name", "Phone", "Role"])
    ws.append(["1-101", "张伟", "+86 138-0013-8000", "业主"])
    ws.append(["1-101", "刘洋", "13912345678", "租户"])
    ws.append(["1-101", "错号", "12345", "业主"])
    ws.append(["9-999", "无房", "13700000000", "业主"])
    ws.append(["1-101", "", "13700000001", "业主"])
    path = tmp_path / "residents.xlsx"
    wb.save(path)
    async with sessions() as s, s.begin():
        estate = await _estate(s)
        await import_units(s, clock=clock, estate_id=estate.id, rows=[{"unit": "1-101", "area": "88"}])
        report = await import_residents(s, clock=clock, estate_id=estate.id, rows=read_table(path))
        again = await import_residents(s, clock=clock, estate_id=estate.id, rows=read_table(path))
        people = (await s.execute(select(Resident).order_by(Resident.id))).scalars().all()
        found = await search_residents(s, estate_id=estate.id, query="1391")
    assert report.created == 2 and again.created == 0 and again.updated == 2
    assert [(e.row_number, e.code) for e in report.errors] == [
        (4, "bad_phone"),
        (5, "unknown_unit"),
        (6, "missing_name"),
    ]
    assert [(p.name, p.phone, p.role) for p in people] == [
        ("张伟", "13800138000", "owner"),
        ("刘洋", "13912345678", "tenant"),
    ]
    assert [r.name for r, _ in found] == ["刘洋"]


def test_phone_numbers_are_normalised():
    assert normalise_phone("+86 138 0013 8000") == "13800138000"
    assert normalise_phone("010-62345678") == "01062345678"
    assert normalise_phone("12345") is None
