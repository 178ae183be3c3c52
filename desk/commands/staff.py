"""`desk staff add USERNAME`: add a staff member (the password is asked for, twice, hidden)."""

from __future__ import annotations

import typer

from desk.commands.running import err, out, run
from estate.core.context import Context
from estate.core.db import unit_of_work

app = typer.Typer(help="Staff accounts.", no_args_is_help=True)


@app.command("add")
def staff_add(
    username: str,
    name: str = typer.Option(..., "--name", help="Display name"),
    role: str = typer.Option(
        ..., "--role", help="agent, supervisor, manager, deputy, technician, cashier or admin"
    ),
    department: str = typer.Option(
        None, "--department", help="engineering, cleaning, security, greening (technicians)"
    ),
    password: str = typer.Option(..., "--password", prompt=True, hide_input=True, confirmation_prompt=True),
) -> None:
    """Add a staff member."""
    from estate.core.errors import DomainError
    from estate.staff.service import create_staff

    async def work(ctx: Context):
        async with unit_of_work(ctx.sessions) as s:
            return await create_staff(
                s,
                clock=ctx.clock,
                username=username,
                display_name=name,
                role=role,
                department=department,
                password=password,
            )

    try:
        member = run(work)
    except DomainError as exc:
        err.print(f"Not added: {exc.code} {exc.params or ''}")
        raise typer.Exit(1)
    out.print(f"Added {member.username} ({member.role}).")
