"""When a job is due, from the same trigger specs the scheduler uses (for catch-up and simulations)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger


def trigger_for(spec: dict, tz: ZoneInfo) -> CronTrigger | IntervalTrigger:
    """The APScheduler trigger of a job's spec, in the estate's time zone."""
    fields = {k: v for k, v in spec.items() if k != "trigger"}
    if spec["trigger"] == "cron":
        return CronTrigger(timezone=tz, **fields)
    return IntervalTrigger(timezone=tz, **fields)


def fires_between(spec: dict, start: datetime, end: datetime, tz: ZoneInfo) -> bool:
    """True when a trigger spec fires in (start, end] — e.g. between two ticks of a simulated clock."""
    if spec["trigger"] == "interval":
        period = timedelta(**{k: v for k, v in spec.items() if k != "trigger"})
        return end - start >= period or int(end.timestamp() // period.total_seconds()) != int(
            start.timestamp() // period.total_seconds()
        )
    nxt = trigger_for(spec, tz).get_next_fire_time(None, start + timedelta(microseconds=1))
    return nxt is not None and nxt <= end
