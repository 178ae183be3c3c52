"""Billing periods ("2026-11") and their local boundaries."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from estate.core.errors import ValidationFailed


def period_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def parse_period(period: str) -> tuple[int, int]:
    """'2026-11' -> (2026, 11); raises ValueError for anything else."""
    year, month = (int(x) for x in period.split("-"))
    if not (1 <= month <= 12 and 1900 < year < 3000) or len(period) != 7:
        raise ValueError(f"not a period: {period!r}")
    return year, month


def shift(period: str, months: int) -> str:
    year, month = parse_period(period)
    index = year * 12 + (month - 1) + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def first_day(period: str) -> date:
    year, month = parse_period(period)
    return date(year, month, 1)


def due_date(period: str, due_day: int) -> date:
    """The bill's due date: that day of the period's month (at most the 28th, so every month has it)."""
    year, month = parse_period(period)
    return date(year, month, max(1, min(due_day, 28)))


def local_start(period: str, tz: ZoneInfo) -> datetime:
    return datetime.combine(first_day(period), time(0), tzinfo=tz)


def local_date(at: datetime, tz: ZoneInfo) -> date:
    return at.astimezone(tz).date()


def check_issuable(period: str, *, today: date) -> str:
    """The period staff may issue bills for by hand: this month or the next (in the estate's local time).

    Raises `ValidationFailed("bad_period")` for text that is not a month and `ValidationFailed
    ("period_not_issuable")` for any other month, with the two allowed ones, so the page can say which."""
    period = period.strip()
    try:
        parse_period(period)
    except ValueError:
        raise ValidationFailed("bad_period", period=period) from None
    current = period_of(today)
    allowed = (current, shift(current, 1))
    if period not in allowed:
        raise ValidationFailed("period_not_issuable", period=period, current=allowed[0], next=allowed[1])
    return period


# A month as staff write it in a spreadsheet cell: "2026-11", "2026/11", year-month-day (an Excel date cell reads as
# "2026-11-01 00:00:00"), or with the year and month marked in Chinese (one character after each number).
_CELL = re.compile(r"(\d{4})\D(\d{1,2})(?:\D(\d{1,2}))?\D?(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")


def period_from_cell(raw: str) -> str | None:
    """The billing month a spreadsheet cell names ('2026-11-01 00:00:00' -> '2026-11'), or None if it names none."""
    found = _CELL.fullmatch((raw or "").strip())
    if found is None:
        return None
    period = f"{int(found.group(1)):04d}-{int(found.group(2)):02d}"
    try:
        parse_period(period)
    except ValueError:
        return None
    return period
