"""`desk jobs list` and `desk jobs run NAME [--now]`: the scheduled jobs."""

from __future__ import annotations

from datetime import datetime

import typer
from rich.table import Table

from desk.commands.running import err, out, run, settings

app = typer.Typer(help="Scheduled jobs.", no_args_is_help=True)


@app.command("list")
def jobs_list() -> None:
    """List the scheduled jobs and when they run."""
    from estate.jobs import JOBS

    table = Table("job", "when", "what")
    for job in JOBS.values():
        when = ", ".join(f"{k}={v}" for k, v in job.trigger.items())
        table.add_row(job.name, when, job.description)
    out.print(table)


@app.command("run")
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
