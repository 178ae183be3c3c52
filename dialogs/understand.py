"""The bridge from a turn to the estate's understanding model, and how its answers route a conversation."""

from __future__ import annotations

import re

from dialogs.turn import Turn
from dialogs.types import Choice
from estate.tickets import understanding as model_store
from locales import N_
from understanding import Understanding

# Below this confidence the resident is asked "did you mean …?" rather than sent somewhere on a guess.
LOW_CONFIDENCE = 0.5
# Words typed in the middle of a flow leave it only when the model is this sure and the message is short:
# a long message at a free-text step is the resident's description, not a command.
GLOBAL_CONFIDENCE = 0.6
# A progress question leaves a flow at any length, but only when the model is this sure of it.
PROGRESS_CONFIDENCE = 0.85
SHORT = 12  # characters (after trimming) that count as a short, command-like message

# The intents a resident can be sent to from anywhere, with the label of the choice that offers them.
INTENT_LABELS = {
    "repair": N_("Report a repair"),
    "complaint": N_("File a complaint"),
    "fees": N_("My fees"),
    "booking": N_("Book a paid service"),
    "tickets": N_("My requests"),
    "inquiry": N_("Ask a question"),
    "suggestion": N_("Make a suggestion"),
    "human": N_("Talk to our staff"),
}
INTENT_PAYLOAD = "intent"
_PUNCT = re.compile(r"[\s,.!?;:，。！？；：、~～…\"'“”‘’()（）]+")


async def understand(turn: Turn, text: str) -> Understanding:
    """What the resident's words mean, by their estate's model (classified once per turn)."""
    found = turn.understood.get(text)
    if found is None:
        estate = await turn.estate()
        found = await model_store.classify(
            turn.session, settings=turn.ctx.settings, estate_id=estate.id if estate else None, text=text
        )
        turn.understood[text] = found
    return found


async def category_of(turn: Turn, text: str, intent: str) -> str | None:
    """The likeliest category of the words once the intent is known."""
    estate = await turn.estate()
    model = await model_store.model_for(
        turn.session, settings=turn.ctx.settings, estate_id=estate.id if estate else None
    )
    return model.category_of(text, intent)


def is_short(text: str) -> bool:
    return len(text.strip()) <= SHORT


def likely_choices(turn: Turn, found: Understanding, limit: int = 3) -> list[Choice]:
    """The likeliest intents as choices, for "did you mean …?"."""
    names = [name for name, _ in found.ranked if name in INTENT_LABELS][:limit]
    return [Choice(turn.t(INTENT_LABELS[name]), f"{INTENT_PAYLOAD}:{name}") for name in names]


def _plain(text: str) -> str:
    return _PUNCT.sub("", text).lower()


def match_choice(text: str, choices: list[list[str]]) -> str | None:
    """The payload of the offered choice the typed words name (its label, or its number), or None."""
    said = _plain(text)
    if not said:
        return None
    if said.isdigit() and 1 <= int(said) <= len(choices):
        return choices[int(said) - 1][1]
    labels = [(_plain(label), payload) for label, payload in choices]
    exact = [payload for label, payload in labels if label == said]
    if exact:
        return exact[0]
    if len(said) < 2:
        return None
    partial = [payload for label, payload in labels if label and (said in label or label in said)]
    return partial[0] if len(partial) == 1 else None
