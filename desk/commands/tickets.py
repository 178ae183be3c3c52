"""`desk tickets list [--json] [--status] [--limit]`: tickets, newest first, from `list_tickets`."""

from __future__ import annotations

import typer

from desk.commands.running import emit, run
from estate.core.context import Context

app = typer.Typer(help="Tickets.", no_args_is_help=True)


@app.command("list")
def tickets_list(
    as_json: bool = typer.Option(False, "--json", help="JSON output"),
    status: str = typer.Option(None, help="Only this status"),
    limit: int = typer.Option(200, help="At most this many, newest first"),
) -> None:
    """Tickets, newest first."""
    from estate.residents.models import Unit
    from estate.tickets.queries import list_tickets

    async def work(ctx: Context):
        async with ctx.sessions() as s:
            tickets = await list_tickets(s, statuses=[status] if status else None, limit=limit)
            units = {t.unit_id: await s.get(Unit, t.unit_id) for t in tickets if t.unit_id}
            codes = {unit_id: unit.code for unit_id, unit in units.items() if unit is not None}
            return [
                {
                    "ref": t.ref,
                    "kind": t.kind,
                    "category": t.category,
                    "status": t.status,
                    "urgency": t.urgency,
                    "unit": codes.get(t.unit_id) if t.unit_id else None,
                    "location": t.location_text,
                    "description": t.description,
                    "created_at": t.created_at.isoformat(),
                    "dispatch_due": t.dispatch_due.isoformat() if t.dispatch_due else None,
                    "escalation_level": t.escalation_level,
                }
                for t in tickets
            ]

    emit(run(work), as_json, ["ref", "kind", "category", "status", "unit", "description"])
