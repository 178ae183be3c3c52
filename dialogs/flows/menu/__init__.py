"""The menu with the seeds' greeting; free text is routed by intent (`menu.intents`)."""

from __future__ import annotations

from dialogs.base import Entry, Go, Step
from dialogs.flows.binding import code_handle
from dialogs.flows.menu.intents import ask_which, intent_choice, route_intent
from dialogs.registry import flow
from dialogs.steps import Bind, Booking, Complaint, Feedback, Fees, Lang, Menu, Repair, Tickets, Unbind
from dialogs.turn import Turn
from dialogs.types import Choice, Event, number_choice, text_of
from dialogs.understand import INTENT_LABELS, INTENT_PAYLOAD, LOW_CONFIDENCE, understand
from estate.residents.codes import normalise_code

PERSON = INTENT_LABELS["human"]  # "Talk to our staff": a live chat with a person

# The menu's choices (`menu:<key>`) and where each goes; "contact" is answered in place.
TARGETS = {
    "repair": Repair.START,
    "complaint": Complaint.START,
    "booking": Booking.START,
    "fees": Fees.START,
    "tickets": Tickets.START,
    "feedback": Feedback.START,
    "lang": Lang.START,
    "bind": Bind.START,
    "unbind": Unbind.START,
}


async def menu_prompt(turn: Turn) -> None:
    t = turn.t
    turn.data.clear()
    estate = await turn.estate()
    name = estate.name if estate else t("Wuye Desk")
    if turn.resident is None:
        turn.say(
            t("Hello, this is the {estate} customer service centre. How may I help you?", estate=name)
            + "\n"
            + t("To report repairs or check your fees, please bind this chat to your home first."),
            [
                Choice(t("Bind my home"), "menu:bind"),
                Choice(t(PERSON), f"{INTENT_PAYLOAD}:human"),
                Choice(t("Contact the centre"), "menu:contact"),
                Choice(t("Language"), "menu:lang"),
            ],
        )
        return
    turn.say(
        t("Hello, this is the {estate} customer service centre. How may I help you?", estate=name),
        [
            Choice(t("Report a repair"), "menu:repair"),
            Choice(t("File a complaint"), "menu:complaint"),
            Choice(t("Book a paid service"), "menu:booking"),
            Choice(t("My fees"), "menu:fees"),
            Choice(t("My requests"), "menu:tickets"),
            Choice(t("Ask or suggest"), "menu:feedback"),
            Choice(t(PERSON), f"{INTENT_PAYLOAD}:human"),
            Choice(t("Contact the centre"), "menu:contact"),
            Choice(t("Language"), "menu:lang"),
            Choice(t("Unbind this chat"), "menu:unbind"),
        ],
    )


async def contact_info(turn: Turn) -> None:
    estate = await turn.estate()
    rules = await turn.rules()
    turn.say(
        turn.t(
            "Customer service centre: {phone}, open every day {open}:00–{close}:00. For emergencies at night, call the same number.",
            phone=estate.phone if estate and estate.phone else "-",
            open=f"{rules.office_open:02d}",
            close=f"{rules.office_close:02d}",
        )
    )


async def menu_handle(turn: Turn, event: Event) -> Go | None:
    chosen = await intent_choice(turn, event)
    if chosen is not None:
        return chosen
    target = number_choice(event, "menu")
    if target == "contact":
        await contact_info(turn)
        return Go(Menu.START)
    if target in TARGETS:
        return Go(TARGETS[target])
    text = text_of(event)
    if not text:
        return None
    if turn.resident is None and len(normalise_code(text)) == 8 and " " not in text.strip():
        return await code_handle(turn, event)  # a code typed straight away
    found = await understand(turn, text)
    if found.intent in ("greeting", "cancel"):
        return Go(Menu.START)
    if found.intent == "unknown" or found.confidence < LOW_CONFIDENCE:
        return ask_which(turn, found, text)
    return await route_intent(turn, found.intent, text)


# A menu choice or a "did you mean …?" choice tapped while in another flow still does what it says.
flow(
    Menu,
    {Menu.START: Step(menu_prompt, menu_handle)},
    needs_binding=False,
    starts_from={"menu": Entry(menu_handle), INTENT_PAYLOAD: Entry(menu_handle)},
    commands=("start", "menu"),
)
