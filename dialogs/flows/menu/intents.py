"""Words routed by intent: the flow the resident asked for, started with their words, or "did you mean …?"
with the likeliest intents when unsure."""

from __future__ import annotations

from dialogs.base import STAY, Go
from dialogs.choices import MENU, nav
from dialogs.steps import Booking, Complaint, Feedback, Fees, Human, Menu, Repair, Tickets
from dialogs.turn import Turn
from dialogs.types import Event, number_choice
from dialogs.understand import INTENT_PAYLOAD, category_of, likely_choices
from understanding import Understanding

SIMPLE_INTENTS = {
    "fees": Fees.START,
    "booking": Booking.START,
    "tickets": Tickets.START,
    "human": Human.START,
}


def ask_which(turn: Turn, found: Understanding, text: str) -> Go:
    """Low confidence: "did you mean …?" with the likeliest intents, keeping the words for the chosen one."""
    turn.data["_said"] = text
    turn.say(turn.t("Did you mean one of these?"), likely_choices(turn, found) + nav(turn.t, MENU))
    return STAY


async def route_intent(turn: Turn, intent: str, text: str | None) -> Go:
    """Start what the resident asked for, carrying their words into the flow so they are not asked again."""
    if intent == "repair":
        if text:
            turn.data.update(category=await category_of(turn, text, "repair") or "other", description=text)
            return Go(Repair.LOCATION)
        return Go(Repair.START)
    if intent == "complaint":
        if text:
            turn.data.update(content=text, category=await category_of(turn, text, "complaint") or "other")
            return Go(Complaint.CONTENT)
        return Go(Complaint.START)
    if intent in ("inquiry", "suggestion"):
        turn.data["kind"] = intent
        if text:
            turn.data["text"] = text
            return Go(Feedback.CONFIRM)
        return Go(Feedback.TEXT)
    if intent == "human" and text:
        turn.data["said"] = text  # "my door lock is broken, let me talk to someone": the agent reads it
    if intent in SIMPLE_INTENTS:
        return Go(SIMPLE_INTENTS[intent])
    return Go(Menu.START)


async def intent_choice(turn: Turn, event: Event) -> Go | None:
    """A tap on a "did you mean …?" choice: go there with the words said before it."""
    intent = number_choice(event, INTENT_PAYLOAD)
    if intent is None:
        return None
    return await route_intent(turn, intent, turn.data.pop("_said", None))
