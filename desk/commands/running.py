"""What every command shares: the settings, the two consoles, running async work, and printing rows."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from estate.core.context import Context
from estate.core.settings import Settings, SettingsError, load_settings

out = Console()
err = Console(stderr=True)
T = TypeVar("T")


def settings() -> Settings:
    """Settings, or one clear line naming the bad one and exit code 2."""
    try:
        return load_settings()
    except SettingsError as exc:
        err.print(f"[red]Invalid setting[/red] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(2)


def run(work: Callable[[Context], Awaitable[T]]) -> T:
    """Run one piece of async work with a fresh context, and close it.

    The whole schema is loaded first: a command imports only the models it uses, but their foreign keys
    name tables of other areas.
    """
    import estate.schema  # noqa: F401

    ctx = Context.from_settings(settings())

    async def main() -> T:
        try:
            return await work(ctx)
        finally:
            await ctx.close()

    return asyncio.run(main())


def migrate(cfg: Settings) -> None:
    """Create or upgrade the database to the latest schema."""
    from estate.core.migrate import upgrade

    upgrade(cfg.database_url)


def emit(rows: list[dict[str, Any]], as_json: bool, columns: list[str]) -> None:
    """Rows as indented JSON, or as a table of the given columns."""
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=2, default=str))
        return
    table = Table(*columns)
    for row in rows:
        table.add_row(*(str(row.get(c, "")) for c in columns))
    out.print(table)
