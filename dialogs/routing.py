"""Where one event goes: the commands, shared choices and intents that work at every step, then the step.

When the step does not take typed words, `not_understood` tries its choices by name, offers another
intent ("Did you mean this?") or shows the prompt again.
"""

from __future__ import annotations

from dialogs.base import Go
from dialogs.choices import BACK, CANCEL, MENU
from dialogs.flows.emergency.recording import record as record_emergency
from dialogs.flows.human import talking_to_person
from dialogs.registry import COMMANDS, FLOWS, entry_for
from dialogs.steps import Human, Menu, Tickets
from dialogs.turn import Turn
from dialogs.types import Choice, Event, text_of
from dialogs.understand import (
    GLOBAL_CONFIDENCE,
    INTENT_LABELS,
    INTENT_PAYLOAD,
    PROGRESS_CONFIDENCE,
    is_short,
    match_choice,
    understand,
)
from estate.residents.codes import looks_like_code
from locales import N_

NOT_UNDERSTOOD = N_("Sorry, I did not understand that.")
DID_YOU_MEAN = N_("Did you mean this?")
CANCELLED = N_("Cancelled. Nothing was sent.")
A_PERSON = N_("Or talk to a person:")


async def route(turn: Turn, flow_name: str, step_name: str, event: Event) -> Go | None:
    """Commands, shared choices and the global intents first (they work at every step), then the step.

    While a person answers (the live chat), everything goes to the live step itself."""
    if talking_to_person(turn, flow_name, step_name):
        return await FLOWS[flow_name].steps[step_name].handle(turn, event)
    if event.kind == "command":
        name = (event.command or "").lstrip("/").split("@")[0].lower()
        return Go(COMMANDS[name]) if name in COMMANDS else None
    if event.kind == "choice":
        go = await _shared_choice(turn, flow_name, event)
        if go is not None:
            return go
    text = text_of(event)
    if text and not (turn.resident is None and looks_like_code(text)):  # a binding code is not words
        go = await _global_intent(turn, flow_name, text)
        if go is not None:
            return go
    return await FLOWS[flow_name].steps[step_name].handle(turn, event)


async def _shared_choice(turn: Turn, flow_name: str, event: Event) -> Go | None:
    """Cancel, Menu and Back at every step, and the payloads some flow starts from (the survey, the menu's)."""
    if event.payload == CANCEL and flow_name != "emergency":
        turn.say(turn.t(CANCELLED))
        return Go(Menu.START)
    if event.payload == MENU and flow_name != "emergency":
        return Go(Menu.START)
    if event.payload == BACK:
        back: list[str] = turn.data.get("_back", [])
        if back:
            turn.data["_going_back"] = True
            return Go(FLOWS[flow_name].at(back.pop()))
        return Go(Menu.START)
    entry = entry_for(event.payload)
    if entry is not None:
        return await entry.handle(turn, event)
    return None


async def _global_intent(turn: Turn, flow_name: str, text: str) -> Go | None:
    """An emergency, "cancel", "a person please" or "where is my repair?" said in the middle of a flow."""
    found = await understand(turn, text)
    if found.urgent:
        return await record_emergency(turn, found)
    if flow_name not in ("menu", "emergency") and is_short(text) and found.confidence >= GLOBAL_CONFIDENCE:
        if found.intent == "cancel":
            turn.say(turn.t(CANCELLED))
            return Go(Menu.START)
        if found.intent == "human":
            return Go(Human.START)
    # "Where is my repair?" asked in the middle of something else: show the resident's requests.
    progress = found.intent == "tickets" and found.confidence >= PROGRESS_CONFIDENCE
    if progress and flow_name not in ("menu", "emergency", "tickets"):
        return Go(Tickets.START)
    return None


async def not_understood(turn: Turn, flow_name: str, step_name: str, event: Event) -> Go | None:
    """Typed words the step did not take: one of its choices by name, another intent, or its prompt again."""
    text = text_of(event)
    step = FLOWS[flow_name].steps[step_name]
    if text:
        payload = match_choice(text, turn.data.get("_choices", []))
        if payload is not None:
            go = await route(turn, flow_name, step_name, Event.of_choice(payload))
            if go is not None:
                return go
        found = await understand(turn, text)
        turn.say(turn.t(NOT_UNDERSTOOD))
        await step.prompt(turn)
        if (
            found.intent in INTENT_LABELS
            and found.intent not in (flow_name, "human")
            and found.confidence >= GLOBAL_CONFIDENCE
        ):
            turn.data["_said"] = text
            turn.say(
                turn.t(DID_YOU_MEAN), [_intent_choice(turn, found.intent), _intent_choice(turn, "human")]
            )
            return None
    else:
        turn.say(turn.t(NOT_UNDERSTOOD))
        await step.prompt(turn)
    turn.say(turn.t(A_PERSON), [_intent_choice(turn, "human")])
    return None


def _intent_choice(turn: Turn, intent: str) -> Choice:
    return Choice(turn.t(INTENT_LABELS[intent]), f"{INTENT_PAYLOAD}:{intent}")
