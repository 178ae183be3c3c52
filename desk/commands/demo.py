"""`desk demo`: seed the demo estate (idempotent), print how to sign in, and serve it."""

from __future__ import annotations

import secrets

import typer
from rich.table import Table

from desk.commands.running import migrate, out, run, settings
from estate.core.context import Context


def demo(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    seed_only: bool = typer.Option(
        False, "--seed-only", help="Seed the demo estate and exit without serving."
    ),
) -> None:
    """Seed the demo estate (idempotent) and serve it."""
    cfg = settings()
    password = cfg.demo_password or secrets.token_urlsafe(9)
    migrate(cfg)
    from estate.demo.seed import seed_demo

    with out.status("Seeding the demo estate…"):
        info = run(lambda ctx: seed_demo(ctx, password=password))
    base = f"http://{host}:{port}"
    out.print(
        f"\n[bold]{info.estate_name}[/bold] demo {'created' if info.created else 'already there (nothing duplicated)'}."
    )
    out.print(f"Staff console:  {base}/console/login")
    out.print(f"Resident chat:  {base}/chat")
    table = Table("user name", "name", "role")
    for username, name, role in info.staff:
        table.add_row(username, name, role)
    out.print(table)
    out.print(
        f"Password for every demo login: [bold]{password}[/bold]"
        + ("" if cfg.demo_password else " (set DESK_DEMO_PASSWORD to choose it)")
    )
    out.print(
        f"Binding code for the resident of unit {info.binding_unit} (type it in the chat): [bold]{info.binding_code}[/bold]"
    )
    if seed_only:
        return
    from desk.runtime import serve as run_server

    run_server(Context.from_settings(cfg), host=host, port=port, role="all")
