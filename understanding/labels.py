"""The labels the classifier chooses from; they mirror the ticket kinds and categories of the domain."""

from __future__ import annotations

INTENTS: tuple[str, ...] = (
    "repair",
    "complaint",
    "fees",
    "booking",
    "tickets",
    "inquiry",
    "suggestion",
    "greeting",
    "human",
    "cancel",
    "unknown",
)

# Intents that carry a category; the category codes are those of the domain's repair and complaint kinds.
CATEGORIES: dict[str, tuple[str, ...]] = {
    "repair": (
        "plumbing",
        "water_leak",
        "electrical",
        "power_cut",
        "gas_smell",
        "lift",
        "lift_entrapment",
        "door_window",
        "wall_ceiling",
        "public_facility",
        "appliance",
        "other",
    ),
    "complaint": (
        "service_attitude",
        "noise",
        "sanitation",
        "security",
        "parking",
        "fees",
        "neighbour",
        "decoration",
        "greenery",
        "other",
    ),
}
