"""The service rules' numbers of DESIGN §3 in one value: deadlines, thresholds, intervals, quiet hours.

Every deadline, escalation, survey threshold, urge interval, cut-off and message that states a number reads
it from a `ServiceRules`; nothing else in the code states those numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class ServiceRules:
    """The service rules' numbers (DESIGN §3), in one value: every deadline, threshold and interval.

    Built once from settings (`ServiceRules.from_settings`, carried by `Context.rules`); an estate may
    override them later (`Context.rules_for(estate)`). Nothing else states these numbers, not even a message.
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

    @classmethod
    def from_settings(cls, settings: Any, *, estate: Any = None) -> ServiceRules:
        """The rules in force: each number from the setting of the same name (DESK_<NAME>).

        `estate` is where per-estate overrides will come from; today every estate follows the settings."""
        return cls(**{f.name: getattr(settings, f.name) for f in fields(cls)})

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
