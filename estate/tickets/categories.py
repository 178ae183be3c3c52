"""Ticket categories by kind (repair, complaint, inquiry, suggestion) and which ones are urgent by nature."""

from __future__ import annotations

from dataclasses import dataclass

from estate.core.errors import ValidationFailed
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


def require_category(kind: str, code: str) -> Category:
    """The category of that kind with that code; ValidationFailed for an unknown kind or category."""
    if kind not in set(TicketKind):
        raise ValidationFailed("bad_kind", kind=kind)
    found = category(kind, code)
    if found is None:
        raise ValidationFailed("bad_category", category=code)
    return found
