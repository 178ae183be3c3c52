"""`desk outbox list [--status] [--json] [--limit]`: outgoing messages and their fate."""

from __future__ import annotations

import typer

from desk.commands.running import emit, run
from estate.core.context import Context

app = typer.Typer(help="Messages waiting to be sent, sent, or failed.", no_args_is_help=True)


@app.command("list")
def outbox_list(
    status: str = typer.Option(
        None, "--status", help="pending, claimed, attempting, sent, failed, unknown, blocked"
    ),
    as_json: bool = typer.Option(False, "--json", help="JSON output"),
    limit: int = typer.Option(200, help="At most this many, newest first"),
) -> None:
    """Outgoing messages and their fate."""
    from estate.messaging.outbox_status import list_outbox

    async def work(ctx: Context):
        async with ctx.sessions() as s:
            rows = await list_outbox(s, status=status, limit=limit)
            return [
                {
                    "id": m.id,
                    "dedupe_key": m.dedupe_key,
                    "channel": m.channel,
                    "kind": m.kind,
                    "status": m.status,
                    "attempts": m.attempts,
                    "created_at": m.created_at.isoformat(),
                    "text": m.text,
                    "last_error": m.last_error,
                }
                for m in rows
            ]

    emit(run(work), as_json, ["id", "channel", "kind", "status", "attempts", "dedupe_key"])
