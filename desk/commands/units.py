"""`desk units list [--json]`: the units with their building, area, occupancy and residents."""

from __future__ import annotations

import typer
from sqlalchemy import select

from desk.commands.running import emit, run
from estate.core.context import Context

app = typer.Typer(help="Units of the estate.", no_args_is_help=True)


@app.command("list")
def units_list(as_json: bool = typer.Option(False, "--json", help="JSON output")) -> None:
    """Units with building, area and residents."""
    from estate.residents.models import Building, Resident, Unit

    async def work(ctx: Context):
        async with ctx.sessions() as s:
            units = (
                await s.execute(
                    select(Unit, Building).join(Building).order_by(Building.id, Unit.floor, Unit.code)
                )
            ).all()
            people: dict[int, list[str]] = {}
            for r in (
                await s.execute(select(Resident).where(Resident.active.is_(True)).order_by(Resident.id))
            ).scalars():
                people.setdefault(r.unit_id, []).append(r.name)
            return [
                {
                    "code": u.code,
                    "building": b.code,
                    "area": float(u.area_m2),
                    "occupancy": u.occupancy,
                    "residents": people.get(u.id, []),
                }
                for u, b in units
            ]

    emit(run(work), as_json, ["code", "building", "area", "occupancy", "residents"])
