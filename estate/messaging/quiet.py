"""Quiet hours (default 21:00–08:00 local): reminders and notices wait for the morning."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo


def in_quiet_hours(at: datetime, *, tz: ZoneInfo, start: int = 21, end: int = 8) -> bool:
    """True when `at` falls in the quiet window [start:00, end:00) of local time (the window may span midnight)."""
    hour = at.astimezone(tz).hour
    if start == end:
        return False
    if start < end:
        return start <= hour < end
    return hour >= start or hour < end


def next_sendable(at: datetime, *, tz: ZoneInfo, start: int = 21, end: int = 8) -> datetime:
    """`at` itself outside quiet hours, else the end of the quiet window (local `end`:00), as an aware instant."""
    if not in_quiet_hours(at, tz=tz, start=start, end=end):
        return at
    local = at.astimezone(tz)
    morning = datetime.combine(local.date(), time(end), tzinfo=tz)
    if morning <= local:
        morning = datetime.combine(local.date() + timedelta(days=1), time(end), tzinfo=tz)
    return morning


def send_from(at: datetime, *, quiet: tuple[ZoneInfo, int, int] | None, urgent: bool) -> datetime:
    """When a message queued at `at` may go: urgent ones and those without `quiet=(tz, start, end)` at once."""
    if quiet is None or urgent:
        return at
    tz, start, end = quiet
    return next_sendable(at, tz=tz, start=start, end=end)
