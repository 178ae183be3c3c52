"""`desk binding-code UNIT`: a one-time code with which the unit's resident binds a chat."""

from __future__ import annotations

from datetime import timedelta

import typer

from desk.commands.running import err, out, run, settings
from estate.core.context import Context
from estate.core.db import unit_of_work


def binding_code(unit: str) -> None:
    """Print a one-time binding code for the resident of UNIT (the code alone on the last line)."""
    from estate.core.errors import DomainError
    from estate.residents.codes import issue_binding_code
    from estate.residents.service import find_unit

    async def work(ctx: Context):
        async with unit_of_work(ctx.sessions) as s:
            found = await find_unit(s, unit)
            if found is None:
                return None
            return await issue_binding_code(
                s,
                clock=ctx.clock,
                unit_id=found.id,
                secret=ctx.settings.secret_key,
                ttl=timedelta(hours=ctx.settings.binding_code_ttl_hours),
            )

    try:
        code = run(work)
    except DomainError as exc:
        err.print(f"No code: {exc.code}")
        raise typer.Exit(1)
    if code is None:
        err.print(f"No unit {unit!r}.")
        raise typer.Exit(1)
    cfg = settings()
    out.print(f"One-time binding code for unit {unit.upper()} (valid {cfg.binding_code_ttl_hours} h):")
    print(code)
