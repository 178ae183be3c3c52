"""The service rules' numbers of DESIGN §3 in one value: deadlines, thresholds, intervals, quiet hours.

Every deadline, escalation, survey threshold, urge interval, cut-off and message that states a number reads
it from a `ServiceRules`; nothing else in the code states those numbers.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

log = logging.getLogger("desk.rules")


@dataclass(frozen=True)
class ServiceRules:
    """The service rules' numbers (DESIGN §3), in one value: every deadline, threshold and interval.

    Built once from settings (`ServiceRules.from_settings`, carried by `Context.rules`); an estate may
    override some (`Estate.rule_overrides`, applied by `Context.rules_for(estate)`). Nothing else states
    these numbers, not even a message.
    """

    repair_dispatch_minutes: int = 60  # 接到客户报修应在一小时内转到相关部门
    urgent_dispatch_minutes: int = 15  # urgent categories (leak, power cut, gas, lift entrapment)
    complaint_transfer_days: int = 3  # 转交相关职能部门的，处理时间不得超过三天
    callback_hours: int = 24  # callback due after resolution
    inquiry_resolve_hours: int = 24
    near_breach_minutes: int = 30  # the console's "due soon" badge
    repair_resolve_grace_hours: int = 24  # repair unresolved this long past its dispatch deadline: deputy GM
    low_rating: int = 2  # a survey answer at or below it reopens the ticket for the supervisor
    satisfaction_target_percent: int = 95  # 客户满意率达到95%
    urge_interval_minutes: int = 30  # a resident may chase (催单) a ticket once per interval
    booking_cancel_cutoff_hours: int = 2  # a booking can be cancelled up to this long before it starts
    quiet_start: int = 21  # quiet hours (local): reminders wait for the morning
    quiet_end: int = 8
    binding_max_attempts: int = 5  # wrong binding codes per chat within the window
    binding_window_minutes: int = 60
    office_open: int = 8  # office hours (local): a person answers live chats from this hour
    office_close: int = 20  # ... until this hour

    @classmethod
    def from_settings(cls, settings: Any, *, estate: Any = None) -> ServiceRules:
        """The rules in force: each number from the setting of the same name (DESK_<NAME>), then the
        estate's `rule_overrides`. An override that is not (or no longer) valid is logged and ignored."""
        values = {f.name: getattr(settings, f.name) for f in fields(cls)}
        return cls(**(values | overrides_in_force(estate)))

    @property
    def repair_dispatch(self) -> timedelta:
        return timedelta(minutes=self.repair_dispatch_minutes)

    @property
    def urgent_dispatch(self) -> timedelta:
        return timedelta(minutes=self.urgent_dispatch_minutes)

    @property
    def callback_after(self) -> timedelta:
        return timedelta(hours=self.callback_hours)

    @property
    def repair_resolve_grace(self) -> timedelta:
        return timedelta(hours=self.repair_resolve_grace_hours)

    @property
    def near_breach(self) -> timedelta:
        return timedelta(minutes=self.near_breach_minutes)

    @property
    def urge_interval(self) -> timedelta:
        return timedelta(minutes=self.urge_interval_minutes)

    @property
    def booking_cancel_cutoff(self) -> timedelta:
        return timedelta(hours=self.booking_cancel_cutoff_hours)

    @property
    def binding_window(self) -> timedelta:
        return timedelta(minutes=self.binding_window_minutes)

    @property
    def satisfaction_target(self) -> float:
        return self.satisfaction_target_percent / 100

    def quiet(self, tz: ZoneInfo) -> tuple[ZoneInfo, int, int]:
        """Quiet hours as the outbox takes them: (zone, start hour, end hour)."""
        return (tz, self.quiet_start, self.quiet_end)


DEFAULT_RULES = ServiceRules()
RULE_NAMES = tuple(f.name for f in fields(ServiceRules))

# The allowed values of each rule, and how a wrong one is explained: (lowest, highest or None, why).
POSITIVE = (1, None, "must be a whole number above 0")
HOUR = (0, 23, "must be an hour from 0 to 23")
LIMITS: dict[str, tuple[int, int | None, str]] = {
    "quiet_start": HOUR,
    "quiet_end": HOUR,
    "office_open": HOUR,
    "office_close": HOUR,
    "low_rating": (0, 4, "must be a rating from 0 (never reopen) to 4"),
    "satisfaction_target_percent": (1, 100, "must be a percentage from 1 to 100"),
}


def rule_problem(name: str, value: Any) -> str | None:
    """Why `value` cannot be the rule `name` (None when it can): the checks settings and overrides share."""
    if isinstance(value, bool) or not isinstance(value, int):
        return "must be a whole number"
    low, high, why = LIMITS.get(name, POSITIVE)
    return why if value < low or (high is not None and value > high) else None


def checked_rule(name: str, value: Any) -> int:
    """`value` as the rule `name`; ValueError naming the rule and what is wrong otherwise."""
    if name not in RULE_NAMES:
        raise ValueError(f"{name!r} is not a service rule (known: {', '.join(RULE_NAMES)})")
    problem = rule_problem(name, value)
    if problem:
        raise ValueError(f"{name}: {problem} (got {value!r})")
    return value


def overrides_in_force(estate: Any) -> dict[str, int]:
    """The estate's valid rule overrides (`Estate.rule_overrides`); a bad one is logged and ignored."""
    valid = {}
    for name, value in (getattr(estate, "rule_overrides", None) or {}).items():
        try:
            valid[name] = checked_rule(name, value)
        except ValueError as exc:
            log.warning("estate %s: rule override ignored: %s", getattr(estate, "code", "?"), exc)
    return valid


def set_rule_overrides(estate: Any, overrides: Mapping[str, Any]) -> None:
    """Give an estate its own values for some rules (an empty mapping restores the installation's).

    Every key and value is checked first: ValueError names the first bad one and nothing is changed."""
    checked = {name: checked_rule(name, value) for name, value in overrides.items()}
    estate.rule_overrides = checked or None
