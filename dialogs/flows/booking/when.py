"""Booking, when: a day in the coming week, then a slot that still has room."""

from __future__ import annotations

from datetime import date, timedelta

from babel.dates import format_date

from dialogs.base import Go
from dialogs.choices import BACK, CANCEL, nav
from dialogs.steps import Booking
from dialogs.turn import Turn
from dialogs.types import Choice, Event, number_choice
from estate.bookings.models import ServiceSlot
from estate.bookings.slots import available_slots

DAYS_AHEAD = 7


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
