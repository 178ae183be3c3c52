"""`desk init`, `desk serve` and `desk backup`: the database and the running installation."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

import typer

from desk.commands.running import err, migrate, out, settings
from estate.core.context import Context


def init() -> None:
    """Create or upgrade the database to the latest schema."""
    cfg = settings()
    migrate(cfg)
    out.print(f"Database ready: {cfg.database_url}")


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    role: str = typer.Option("all", help="all (web + jobs), web, or worker (jobs and senders only)."),
) -> None:
    """Run web chat, console, channels and the scheduler."""
    if role not in ("all", "web", "worker"):
        err.print("--role must be all, web or worker")
        raise typer.Exit(2)
    cfg = settings()
    migrate(cfg)
    from desk.runtime import serve as run_server

    run_server(Context.from_settings(cfg), host=host, port=port, role=role)


def backup(path: Path) -> None:
    """Back up the database to PATH (SQLite online backup, or pg_dump for PostgreSQL)."""
    cfg = settings()
    if cfg.database_url.startswith("sqlite"):
        source = cfg.database_url.split(":///", 1)[1]
        if not Path(source).exists():
            err.print(f"No database at {source}.")
            raise typer.Exit(1)
        path.parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(source) as src, sqlite3.connect(path) as dst:
            src.backup(dst)
        out.print(f"Backed up {source} to {path}.")
        return
    if shutil.which("pg_dump") is None:
        err.print(
            "pg_dump is not installed: install the PostgreSQL client tools to back up a PostgreSQL database."
        )
        raise typer.Exit(1)
    url = cfg.database_url.replace("postgresql+asyncpg://", "postgresql://")
    result = subprocess.run(["pg_dump", "--format=custom", "--file", str(path), url], check=False)
    if result.returncode != 0:
        raise typer.Exit(result.returncode)
    out.print(f"Backed up to {path}.")
