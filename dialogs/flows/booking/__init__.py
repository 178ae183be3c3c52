"""Booking a paid service: catalogue with prices, a day, a slot with room, notes, the price confirmed;
and the resident's bookings, which they may cancel. One module per part of the conversation."""

from dialogs.base import Step
from dialogs.flows.booking.confirm import confirm_handle, confirm_prompt, notes_handle, notes_prompt
from dialogs.flows.booking.mine import cancel_handle, cancel_prompt, mine_handle, mine_prompt
from dialogs.flows.booking.services import services_handle, services_prompt
from dialogs.flows.booking.when import day_handle, day_prompt, slot_handle, slot_prompt
from dialogs.registry import flow
from dialogs.steps import Booking

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
