"""Booking it: notes for the technician, then the price confirmed and the slot taken."""

from __future__ import annotations

from dialogs.base import Go
from dialogs.choices import BACK, CANCEL, NO, SKIP, YES, nav
from dialogs.flows.booking.services import service_name
from dialogs.steps import Booking, Menu
from dialogs.turn import Turn
from dialogs.types import Event, text_of
from estate.billing.money import fmt_yuan
from estate.bookings.booking import book
from estate.bookings.models import ServiceItem, ServiceSlot
from estate.core.errors import Conflict, ValidationFailed


async def notes_prompt(turn: Turn) -> None:
    turn.say(
        turn.t("Anything the technician should know? Type it, or tap Skip."), nav(turn.t, SKIP, BACK, CANCEL)
    )


async def notes_handle(turn: Turn, event: Event) -> Go | None:
    if event.payload == SKIP:
        turn.data["notes"] = ""
    elif text_of(event):
        turn.data["notes"] = text_of(event)
    else:
        return None
    return Go(Booking.CONFIRM)


async def confirm_prompt(turn: Turn) -> None:
    item = await turn.session.get(ServiceItem, turn.data["service"])
    slot = await turn.session.get(ServiceSlot, turn.data["slot"])
    assert item is not None and slot is not None
    turn.data["price"] = item.price_cents
    turn.say(
        turn.t(
            "Please confirm: {service} on {when}, price {price}. Notes: {notes}",
            service=service_name(turn, item),
            when=turn.local(slot.start_at),
            price=fmt_yuan(item.price_cents),
            notes=turn.data.get("notes") or "-",
        ),
        nav(turn.t, YES, NO, CANCEL),
    )


async def confirm_handle(turn: Turn, event: Event) -> Go | None:
    if event.payload == NO:
        return Go(Booking.SLOT)
    if event.payload != YES:
        return None
    try:
        booking = await book(
            turn.session,
            clock=turn.ctx.clock,
            slot_id=turn.data["slot"],
            resident_id=turn.me.id,
            unit_id=turn.me.unit_id,
            confirmed_price_cents=turn.data["price"],
            notes=turn.data.get("notes"),
            channel_account_id=turn.account.id,
        )
    except Conflict:
        turn.say(turn.t("Sorry, that time has just been taken. Please choose another time."))
        return Go(Booking.SLOT)
    except ValidationFailed as exc:
        if exc.code == "price_changed":
            turn.say(turn.t("The price has just changed. Please check it again."))
            return Go(Booking.CONFIRM)
        turn.say(turn.t("Sorry, that time is no longer available. Please choose another time."))
        return Go(Booking.SLOT)
    turn.say(turn.t("Booked! Your reference is {ref}. We will confirm it shortly.", ref=booking.ref))
    return Go(Menu.START)
