"""The `desk` command (DESIGN §7): set up, run, and operate a Wuye Desk installation.

Each command lives in `desk.commands`, one module per group; this module only puts them together.
"""

from __future__ import annotations

import sys

import typer

from desk.commands import binding, demo, imports, jobs, outbox, server, staff, tickets, understand, units

app = typer.Typer(
    help="Wuye Desk: the customer-service centre of a property-management company.",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(jobs.app, name="jobs")
app.add_typer(staff.app, name="staff")
app.add_typer(units.app, name="units")
app.add_typer(tickets.app, name="tickets")
app.add_typer(outbox.app, name="outbox")
app.command()(server.init)
app.command()(server.serve)
app.command()(demo.demo)
app.command("import")(imports.import_)
app.command("binding-code")(binding.binding_code)
app.command()(understand.understand)
app.command()(server.backup)


def main() -> None:  # pragma: no cover - console script entry
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
