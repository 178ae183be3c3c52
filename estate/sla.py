"""Ticket categories and the service deadlines of DESIGN §3, in the estate's local time."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from estate.models import Department, TicketKind, Urgency
from locales import N_


@dataclass(frozen=True)
class Category:
    code: str
    label: str  # msgid, translated where shown
    department: str


REPAIR_CATEGORIES: tuple[Category, ...] = (
    Category("plumbing", N_("Plumbing"), Department.ENGINEERING),
    Category("water_leak", N_("Water leak"), Department.ENGINEERING),
    Category("electrical", N_("Electrical"), Department.ENGINEERING),
    Category("power_cut", N_("Power cut"), Department.ENGINEERING),
    Category("gas_smell", N_("Gas smell"), Department.ENGINEERING),
    Category("lift", N_("Lift fault"), Department.ENGINEERING),
    Category("lift_entrapment", N_("Trapped in a lift"), Department.ENGINEERING),
    Category("door_window", N_("Doors and windows"), Department.ENGINEERING),
    Category("wall_ceiling", N_("Walls and ceilings"), Department.ENGINEERING),
    Category("public_facility", N_("Public facilities"), Department.ENGINEERING),
    Category("appliance", N_("Household appliance"), Department.ENGINEERING),
    Category("other", N_("Other"), Department.ENGINEERING),
)
COMPLAINT_CATEGORIES: tuple[Category, ...] = (
    Category("service_attitude", N_("Staff attitude"), Department.SERVICE),
    Category("noise", N_("Noise"), Department.SECURITY),
    Category("sanitation", N_("Cleanliness"), Department.CLEANING),
    Category("security", N_("Security"), Department.SECURITY),
    Category("parking", N_("Parking"), Department.SECURITY),
    Category("fees", N_("Fees"), Department.SERVICE),
    Category("neighbour", N_("Neighbours"), Department.SERVICE),
    Category("decoration", N_("Renovation work"), Department.ENGINEERING),
    Category("greenery", N_("Greenery"), Department.GREENING),
    Category("other", N_("Other"), Department.SERVICE),
)
GENERAL_CATEGORIES: tuple[Category, ...] = (Category("general", N_("General"), Department.SERVICE),)

CATEGORIES: dict[str, tuple[Category, ...]] = {
    TicketKind.REPAIR: REPAIR_CATEGORIES,
    TicketKind.COMPLAINT: COMPLAINT_CATEGORIES,
    TicketKind.INQUIRY: GENERAL_CATEGORIES,
    TicketKind.SUGGESTION: GENERAL_CATEGORIES,
}
URGENT_CATEGORIES = frozenset({"water_leak", "power_cut", "gas_smell", "lift_entrapment"})


def category(kind: str, code: str) -> Category | None:
    """The category of that kind with that code, or None."""
    return next((c for c in CATEGORIES.get(kind, ()) if c.code == code), None)


def default_urgency(kind: str, code: str) -> str:
    return Urgency.URGENT if kind == TicketKind.REPAIR and code in URGENT_CATEGORIES else Urgency.NORMAL


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


def end_of_local_day(at: datetime, tz: ZoneInfo) -> datetime:
    """Midnight that ends the local day containing `at` (Beijing midnight, not UTC midnight)."""
    local = at.astimezone(tz)
    return datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=tz)


def dispatch_deadline(
    *, kind: str, urgency: str, created_at: datetime, tz: ZoneInfo, rules: ServiceRules = DEFAULT_RULES
) -> datetime | None:
    """When the ticket must be passed to the responsible department."""
    if kind == TicketKind.REPAIR:
        return created_at + (rules.urgent_dispatch if urgency == Urgency.URGENT else rules.repair_dispatch)
    if kind == TicketKind.COMPLAINT:
        return end_of_local_day(created_at, tz)
    return None


def resolve_deadline(
    *,
    kind: str,
    created_at: datetime,
    tz: ZoneInfo,
    transferred: bool = False,
    dispatched_at: datetime | None = None,
    rules: ServiceRules = DEFAULT_RULES,
) -> datetime | None:
    """When the ticket must be resolved: complaints the same local day, or 3 days once transferred."""
    if kind == TicketKind.COMPLAINT:
        if transferred:
            return (dispatched_at or created_at) + timedelta(days=rules.complaint_transfer_days)
        return end_of_local_day(created_at, tz)
    if kind == TicketKind.INQUIRY:
        return created_at + timedelta(hours=rules.inquiry_resolve_hours)
    return None
