"""Ticket categories and the service deadlines of DESIGN §3, in the estate's local time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from estate.core.rules import DEFAULT_RULES, ServiceRules
from estate.staff.models import Department
from estate.tickets.models import TicketKind, Urgency
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
