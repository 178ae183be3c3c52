"""The `desk` command (DESIGN §7): set up, run, and operate a Wuye Desk installation."""

from __future__ import annotations

import asyncio
import json
import secrets
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table
from sqlalchemy import select

from estate.core.context import Context
from estate.core.db import unit_of_work
from estate.core.settings import Settings, SettingsError, load_settings

app = typer.Typer(
    help="Wuye Desk: the customer-service centre of a property-management company.",
    no_args_is_help=True,
    add_completion=False,
)
jobs_app = typer.Typer(help="Scheduled jobs.", no_args_is_help=True)
staff_app = typer.Typer(help="Staff accounts.", no_args_is_help=True)
units_app = typer.Typer(help="Units of the estate.", no_args_is_help=True)
tickets_app = typer.Typer(help="Tickets.", no_args_is_help=True)
outbox_app = typer.Typer(help="Messages waiting to be sent, sent, or failed.", no_args_is_help=True)
app.add_typer(jobs_app, name="jobs")
app.add_typer(staff_app, name="staff")
app.add_typer(units_app, name="units")
app.add_typer(tickets_app, name="tickets")
app.add_typer(outbox_app, name="outbox")

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
    """Run one piece of async work with a fresh context, and close it."""
    ctx = Context.from_settings(settings())

    async def main() -> T:
        try:
            return await work(ctx)
        finally:
            await ctx.close()

    return asyncio.run(main())


def migrate(cfg: Settings) -> None:
    from estate.core.migrate import upgrade

    upgrade(cfg.database_url)


@app.command()
def init() -> None:
    """Create or upgrade the database to the latest schema."""
    cfg = settings()
    migrate(cfg)
    out.print(f"Database ready: {cfg.database_url}")


@app.command()
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


@app.command()
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
    from estate.demo import seed_demo

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


@jobs_app.command("list")
def jobs_list() -> None:
    """List the scheduled jobs and when they run."""
    from estate.jobs import JOBS

    table = Table("job", "when", "what")
    for job in JOBS.values():
        when = ", ".join(f"{k}={v}" for k, v in job.trigger.items())
        table.add_row(job.name, when, job.description)
    out.print(table)


@jobs_app.command("run")
def jobs_run(
    name: str,
    now: str = typer.Option(
        None, "--now", help="Run as if the clock said this ISO-8601 time (naive = the estate's zone)."
    ),
) -> None:
    """Run one job once, now or at a chosen instant."""
    from estate.jobs import JOBS

    if name not in JOBS:
        err.print(f"Unknown job {name!r}. Known: {', '.join(JOBS)}")
        raise typer.Exit(2)
    cfg = settings()
    at = None
    if now:
        try:
            at = datetime.fromisoformat(now)
        except ValueError:
            err.print(f"--now: not an ISO-8601 time: {now!r}")
            raise typer.Exit(2)
        if at.tzinfo is None:
            at = at.replace(tzinfo=cfg.tz)
    from desk.runtime import run_job_once

    summary = run(lambda ctx: run_job_once(ctx, name, at))
    out.print(f"{name}: {summary}")


IMPORTERS = {"residents", "units", "bills", "payments"}


@app.command("import")
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
    from estate.residents.models import Estate

    stmt = select(Estate)
    if code:
        stmt = stmt.where(Estate.code == code)
    estates = (await s.execute(stmt)).scalars().all()
    if len(estates) != 1:
        err.print("No such estate." if not estates else "Several estates: name one with --estate CODE.")
        raise typer.Exit(2)
    return estates[0].id


@staff_app.command("add")
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


@app.command("binding-code")
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
                ttl=_hours(ctx.settings.binding_code_ttl_hours),
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


def _hours(n: int):
    from datetime import timedelta

    return timedelta(hours=n)


def _emit(rows: list[dict[str, Any]], as_json: bool, columns: list[str]) -> None:
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=2, default=str))
        return
    table = Table(*columns)
    for row in rows:
        table.add_row(*(str(row.get(c, "")) for c in columns))
    out.print(table)


@units_app.command("list")
def units_list(as_json: bool = typer.Option(False, "--json", help="JSON output")) -> None:
    """Units with building, area and residents."""
    from estate.residents.models import Building, Resident, Unit

    async def work(ctx: Context):
        async with ctx.sessions() as s:
            units = (
                await s.execute(
                    select(Unit, Building).join(Building).order_by(Building.id, Unit.floor, Unit.code)
                )
            ).all()
            people: dict[int, list[str]] = {}
            for r in (
                await s.execute(select(Resident).where(Resident.active.is_(True)).order_by(Resident.id))
            ).scalars():
                people.setdefault(r.unit_id, []).append(r.name)
            return [
                {
                    "code": u.code,
                    "building": b.code,
                    "area": float(u.area_m2),
                    "occupancy": u.occupancy,
                    "residents": people.get(u.id, []),
                }
                for u, b in units
            ]

    _emit(run(work), as_json, ["code", "building", "area", "occupancy", "residents"])


@tickets_app.command("list")
def tickets_list(
    as_json: bool = typer.Option(False, "--json", help="JSON output"),
    status: str = typer.Option(None, help="Only this status"),
    limit: int = typer.Option(200, help="At most this many, newest first"),
) -> None:
    """Tickets, newest first."""
    from estate.residents.models import Unit
    from estate.tickets.models import Ticket

    async def work(ctx: Context):
        async with ctx.sessions() as s:
            stmt = (
                select(Ticket, Unit.code)
                .outerjoin(Unit, Unit.id == Ticket.unit_id)
                .order_by(Ticket.created_at.desc())
                .limit(limit)
            )
            if status:
                stmt = stmt.where(Ticket.status == status)
            return [
                {
                    "ref": t.ref,
                    "kind": t.kind,
                    "category": t.category,
                    "status": t.status,
                    "urgency": t.urgency,
                    "unit": code,
                    "location": t.location_text,
                    "description": t.description,
                    "created_at": t.created_at.isoformat(),
                    "dispatch_due": t.dispatch_due.isoformat() if t.dispatch_due else None,
                    "escalation_level": t.escalation_level,
                }
                for t, code in (await s.execute(stmt)).all()
            ]

    _emit(run(work), as_json, ["ref", "kind", "category", "status", "unit", "description"])


@outbox_app.command("list")
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

    _emit(run(work), as_json, ["id", "channel", "kind", "status", "attempts", "dedupe_key"])


@app.command()
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

    from estate.residents.models import Estate
    from estate.tickets.understanding import model_for

    if cfg.database_url.startswith("sqlite") and not Path(cfg.database_url.split(":///", 1)[-1]).exists():
        return None  # nothing installed yet: do not create an empty database just to look

    async def work(ctx: Context):
        async with ctx.sessions() as s:
            estate = (await s.execute(select(Estate).order_by(Estate.id).limit(1))).scalar_one_or_none()
            return await model_for(s, settings=cfg, estate_id=estate.id if estate else None)

    try:
        return run(work)
    except (SQLAlchemyError, OSError):
        return None


@app.command()
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


def main() -> None:  # pragma: no cover - console script entry
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
