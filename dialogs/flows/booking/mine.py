"""The resident's upcoming bookings, and cancelling one of them."""

from __future__ import annotations

from dialogs.base import Go
from dialogs.choices import BACK, NO, YES, nav
from dialogs.flows.booking.services import service_name
from dialogs.steps import Booking, Menu
from dialogs.turn import Turn
from dialogs.types import Choice, Event, number_choice
from estate.bookings.booking import cancel_booking
from estate.bookings.models import Booking as BookingRow
from estate.bookings.queries import bookings_for_resident
from estate.core.errors import DomainError


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
    rules = await turn.rules()
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
