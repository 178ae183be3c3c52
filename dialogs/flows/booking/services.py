"""Booking, what: the catalogue of paid services with their prices."""

from __future__ import annotations

from dialogs.base import Go
from dialogs.choices import CANCEL, nav
from dialogs.steps import Booking
from dialogs.turn import Turn
from dialogs.types import Choice, Event, number_choice
from estate.billing.money import fmt_yuan
from estate.bookings.catalogue import list_services
from estate.bookings.models import ServiceItem
from locales import N_

UNITS = {"time": N_("per visit"), "hour": N_("per hour"), "m2": N_("per m²"), "item": N_("per item")}


def service_name(turn: Turn, item: ServiceItem) -> str:
    return item.name_en if turn.t.locale == "en" and item.name_en else item.name


async def services_prompt(turn: Turn) -> None:
    estate = await turn.estate()
    items = await list_services(turn.session, estate_id=estate.id) if estate else []
    choices = [
        Choice(
            f"{service_name(turn, i)} {fmt_yuan(i.price_cents)} {turn.t(UNITS.get(i.price_unit, UNITS['time']))}",
            f"svc:{i.id}",
        )
        for i in items
    ]
    turn.say(
        turn.t("Which service would you like to book? Prices are per visit unless stated."),
        choices + [Choice(turn.t("My bookings"), "bk:mine")] + nav(turn.t, CANCEL),
    )


async def services_handle(turn: Turn, event: Event) -> Go | None:
    if event.payload == "bk:mine":
        return Go(Booking.MINE)
    sid = number_choice(event, "svc")
    if sid is None or not sid.isdigit():
        return None
    item = await turn.session.get(ServiceItem, int(sid))
    if item is None or not item.active:
        return None
    turn.data["service"] = item.id
    return Go(Booking.DAY)
