"""Booking a paid service: catalogue with prices, a day, a slot with room, notes, the price confirmed."""

from __future__ import annotations

from datetime import date, timedelta

from babel.dates import format_date

from dialogs.base import Go, Step
from dialogs.choices import BACK, CANCEL, NO, SKIP, YES, nav
from dialogs.registry import flow
from dialogs.steps import Booking, Menu
from dialogs.turn import Turn
from dialogs.types import Choice, Event, number_choice, text_of
from estate.billing.money import fmt_yuan
from estate.bookings.booking import book, cancel_booking
from estate.bookings.catalogue import list_services
from estate.bookings.models import Booking as BookingRow
from estate.bookings.models import ServiceItem, ServiceSlot
from estate.bookings.queries import bookings_for_resident
from estate.bookings.slots import available_slots
from estate.core.errors import Conflict, DomainError, ValidationFailed
from locales import N_

UNITS = {"time": N_("per visit"), "hour": N_("per hour"), "m2": N_("per m²"), "item": N_("per item")}
DAYS_AHEAD = 7


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


async def day_prompt(turn: Turn) -> None:
    today = turn.now.astimezone(turn.tz).date()
    days = [today + timedelta(days=i) for i in range(DAYS_AHEAD)]
    turn.say(
        turn.t("Which day?"),
        [Choice(format_date(d, "MMMd EEE", locale=turn.t.locale), f"day:{d.isoformat()}") for d in days]
        + nav(turn.t, BACK, CANCEL),
    )


async def day_handle(turn: Turn, event: Event) -> Go | None:
    raw = number_choice(event, "day")
    try:
        day = date.fromisoformat(raw or "")
    except ValueError:
        return None
    turn.data["day"] = day.isoformat()
    return Go(Booking.SLOT)


async def slot_prompt(turn: Turn) -> None:
    slots = await available_slots(
        turn.session,
        service_item_id=turn.data["service"],
        day=date.fromisoformat(turn.data["day"]),
        now=turn.now,
        tz=turn.tz,
    )
    if not slots:
        turn.say(
            turn.t("Sorry, there is no free time left on that day. Please choose another day."),
            nav(turn.t, BACK, CANCEL),
        )
        return
    turn.say(
        turn.t("Which time suits you?"),
        [
            Choice(
                turn.t("{time} ({n} left)", time=turn.local(s.start_at, "%H:%M"), n=s.capacity - s.booked),
                f"slot:{s.id}",
            )
            for s in slots
        ]
        + nav(turn.t, BACK, CANCEL),
    )


async def slot_handle(turn: Turn, event: Event) -> Go | None:
    sid = number_choice(event, "slot")
    if sid is None or not sid.isdigit():
        return None
    slot = await turn.session.get(ServiceSlot, int(sid))
    if slot is None or slot.service_item_id != turn.data.get("service"):
        return None
    turn.data["slot"] = slot.id
    return Go(Booking.NOTES)


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


async def mine_prompt(turn: Turn) -> None:
    rows = await bookings_for_resident(turn.session, resident_id=turn.me.id, now=turn.now)
    if not rows:
        turn.say(turn.t("You have no upcoming bookings."), nav(turn.t, BACK))
        return
    lines = [f"{b.ref} · {service_name(turn, i)} · {turn.local(s.start_at)}" for b, i, s in rows]
    turn.say(
        turn.t("Your upcoming bookings:") + "\n" + "\n".join(lines),
        [Choice(turn.t("Cancel {ref}", ref=b.ref), f"bkc:{b.id}") for b, _, _ in rows] + nav(turn.t, BACK),
    )


async def mine_handle(turn: Turn, event: Event) -> Go | None:
    bid = number_choice(event, "bkc")
    if bid is None or not bid.isdigit():
        return None
    booking = await turn.session.get(BookingRow, int(bid))
    if booking is None or booking.resident_id != turn.me.id:
        return None
    turn.data["cancel"] = booking.id
    return Go(Booking.CANCEL)


async def cancel_prompt(turn: Turn) -> None:
    booking = await turn.session.get(BookingRow, turn.data["cancel"])
    turn.say(turn.t("Cancel booking {ref}?", ref=booking.ref if booking else ""), nav(turn.t, YES, NO))


async def cancel_handle(turn: Turn, event: Event) -> Go | None:
    if event.payload == NO:
        return Go(Booking.MINE)
    if event.payload != YES:
        return None
    rules = turn.ctx.rules
    try:
        booking = await cancel_booking(
            turn.session,
            clock=turn.ctx.clock,
            booking_id=turn.data["cancel"],
            reason="",
            by_resident=True,
            cutoff=rules.booking_cancel_cutoff,
        )
    except DomainError as exc:
        if exc.code == "too_late_to_cancel":
            turn.say(
                turn.t(
                    "Sorry, a booking can only be cancelled up to {hours} hours before it starts. Please call the centre.",
                    hours=rules.booking_cancel_cutoff_hours,
                )
            )
        else:
            turn.say(turn.t("This booking can no longer be cancelled."))
        return Go(Booking.MINE)
    turn.say(turn.t("Your booking {ref} has been cancelled.", ref=booking.ref))
    return Go(Menu.START)


flow(
    Booking,
    {
        Booking.START: Step(services_prompt, services_handle),
        Booking.DAY: Step(day_prompt, day_handle),
        Booking.SLOT: Step(slot_prompt, slot_handle),
        Booking.NOTES: Step(notes_prompt, notes_handle),
        Booking.CONFIRM: Step(confirm_prompt, confirm_handle),
        Booking.MINE: Step(mine_prompt, mine_handle),
        Booking.CANCEL: Step(cancel_prompt, cancel_handle),
    },
)
