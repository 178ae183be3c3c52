"""`desk units list [--json]`: the units with their building, area, occupancy and residents."""

from __future__ import annotations

import typer

from desk.commands.running import emit, run
from estate.core.context import Context

app = typer.Typer(help="Units of the estate.", no_args_is_help=True)


@app.command("list")
def units_list(as_json: bool = typer.Option(False, "--json", help="JSON output")) -> None:
    """Units with building, area and residents."""
    from estate.residents.service import unit_directory

    async def work(ctx: Context):
        async with ctx.sessions() as s:
            units = await unit_directory(s)
            return [
                {
                    "code": u.code,
                    "building": b.code,
                    "area": float(u.area_m2),
                    "occupancy": u.occupancy,
                    "residents": names,
                }
                for u, b, names in units
            ]

    emit(run(work), as_json, ["code", "building", "area", "occupancy", "residents"])
