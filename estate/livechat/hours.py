"""Office hours: when a person answers live chats (the rules' `office_open`..`office_close`, local time)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from estate.core.rules import ServiceRules


def in_office_hours(rules: ServiceRules, tz: ZoneInfo, at: datetime) -> bool:
    """Whether a person is at the desk at `at` (an opening hour after the closing one spans midnight)."""
    hour = at.astimezone(tz).hour
    if rules.office_open == rules.office_close:
        return True  # open round the clock
    if rules.office_open < rules.office_close:
        return rules.office_open <= hour < rules.office_close
    return hour >= rules.office_open or hour < rules.office_close


def next_opening(rules: ServiceRules, tz: ZoneInfo, at: datetime) -> datetime:
    """When the desk next opens after `at` (local time, aware): today's opening if still to come, else tomorrow's."""
    local = at.astimezone(tz)
    opening = datetime.combine(local.date(), time(rules.office_open), tzinfo=tz)
    return opening if opening > local else opening + timedelta(days=1)
