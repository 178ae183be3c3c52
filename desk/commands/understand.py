"""`desk understand [--json] [TEXT ...]`: what residents' messages mean, by the installation's model."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from rich.table import Table

from desk.commands.running import out, run, settings
from estate.core.context import Context
from estate.core.settings import Settings
from estate.residents.service import first_estate


def understand(
    texts: list[str] = typer.Argument(
        None, help="Messages to classify; none: one message per line from stdin"
    ),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per message, in order"),
) -> None:
    """What residents' messages mean: intent, category, urgency and confidence."""
    from estate.tickets.understanding import cache_dir
    from understanding import load_model

    cfg = settings()
    model = _installation_model(cfg) or load_model(cache_dir(cfg))
    lines = texts if texts else [line.rstrip("\r\n") for line in sys.stdin]
    table = Table("text", "intent", "category", "urgent", "confidence")
    for text in lines:
        found = model.classify(text).as_dict()
        if as_json:
            print(json.dumps(found, ensure_ascii=False), flush=False)
        else:
            table.add_row(
                text,
                found["intent"],
                found["category"] or "",
                "yes" if found["urgent"] else "",
                f"{found['confidence']:.2f}",
            )
    if not as_json:
        out.print(table)


def _installation_model(cfg: Settings):
    """The model with the staff corrections folded in so far, when the database has them; else None."""
    from sqlalchemy.exc import SQLAlchemyError

    from estate.tickets.understanding import model_for

    if cfg.database_url.startswith("sqlite") and not Path(cfg.database_url.split(":///", 1)[-1]).exists():
        return None  # nothing installed yet: do not create an empty database just to look

    async def work(ctx: Context):
        async with ctx.sessions() as s:
            estate = await first_estate(s)
            return await model_for(s, settings=cfg, estate_id=estate.id if estate else None)

    try:
        return run(work)
    except (SQLAlchemyError, OSError):
        return None
