"""`desk import KIND FILE`: the archive, bills or payments from CSV/XLSX, with a validation report."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import Progress
from rich.table import Table

from desk.commands.running import err, out, run
from estate.core.context import Context
from estate.core.db import unit_of_work

IMPORTERS = {"residents", "units", "bills", "payments"}


def import_(
    kind: str = typer.Argument(..., help="residents, units, bills or payments"),
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="CSV or XLSX file"),
    estate: str = typer.Option(None, help="Estate code (default: the only estate)."),
) -> None:
    """Import the archive, bills or payments from CSV/XLSX, with a validation report."""
    if kind not in IMPORTERS:
        err.print(f"Import what? one of: {', '.join(sorted(IMPORTERS))}")
        raise typer.Exit(2)
    from estate.billing import imports as billing_import
    from estate.core.tables import read_table
    from estate.residents import archive

    try:
        rows = read_table(file)
    except Exception as exc:
        err.print(f"Cannot read {file}: {exc}")
        raise typer.Exit(1)
    importer = {
        "units": archive.import_units,
        "residents": archive.import_residents,
        "bills": billing_import.import_bills,
        "payments": billing_import.import_payments,
    }[kind]

    async def work(ctx: Context):
        async with unit_of_work(ctx.sessions) as s:
            estate_id = await _estate_id(s, estate)
            with Progress(console=out, transient=True) as progress:
                task = progress.add_task(f"Importing {kind}", total=len(rows))
                return await importer(
                    s,
                    clock=ctx.clock,
                    estate_id=estate_id,
                    rows=rows,
                    progress=lambda done, total: progress.update(task, completed=done),
                )

    report = run(work)
    out.print(f"{kind}: {report.summary()}")
    if report.errors:
        table = Table("row", "problem", "value")
        for e in report.errors:
            table.add_row(str(e.row_number), e.code, e.detail)
        out.print(table)
        raise typer.Exit(1)


async def _estate_id(s, code: str | None) -> int:
    """The estate named by --estate, or the only one; exit code 2 when that is not one estate."""
    from estate.residents.service import estates_named

    estates = await estates_named(s, code)
    if len(estates) != 1:
        err.print("No such estate." if not estates else "Several estates: name one with --estate CODE.")
        raise typer.Exit(2)
    return estates[0].id
