"""Asking a question or making a suggestion: the words go to the staff as a request, answered in the chat."""

from __future__ import annotations

from dialogs.base import Go, Step
from dialogs.choices import BACK, CANCEL, NO, YES, nav
from dialogs.flows.shared import estate_id
from dialogs.registry import flow
from dialogs.steps import Feedback, Menu
from dialogs.turn import Turn
from dialogs.types import Choice, Event, number_choice, text_of
from estate.tickets.create import create_ticket


async def feedback_prompt(turn: Turn) -> None:
    turn.say(
        turn.t("Would you like to ask a question or make a suggestion?"),
        [Choice(turn.t("Ask a question"), "fb:inquiry"), Choice(turn.t("Make a suggestion"), "fb:suggestion")]
        + nav(turn.t, CANCEL),
    )


async def feedback_handle(turn: Turn, event: Event) -> Go | None:
    kind = number_choice(event, "fb")
    if kind not in ("inquiry", "suggestion"):
        return None
    turn.data["kind"] = kind
    return Go(Feedback.TEXT)


async def feedback_text_prompt(turn: Turn) -> None:
    turn.say(
        turn.t("Please type your question.")
        if turn.data.get("kind") == "inquiry"
        else turn.t("Please type your suggestion."),
        nav(turn.t, BACK, CANCEL),
    )


async def feedback_text(turn: Turn, event: Event) -> Go | None:
    text = text_of(event)
    if len(text) < 2:
        return None
    return await _register_feedback(turn, text)


async def feedback_confirm_prompt(turn: Turn) -> None:
    text = turn.data.get("text", "")
    turn.say(
        turn.t('Shall we pass your question on to our staff? "{text}"', text=text)
        if turn.data.get("kind") == "inquiry"
        else turn.t('Shall we pass your suggestion on to our staff? "{text}"', text=text),
        nav(turn.t, YES, NO, CANCEL),
    )


async def feedback_confirm(turn: Turn, event: Event) -> Go | None:
    if event.payload == NO:
        return Go(Feedback.TEXT)
    if event.payload != YES or not turn.data.get("text"):
        return None
    return await _register_feedback(turn, turn.data["text"])


async def _register_feedback(turn: Turn, text: str) -> Go:
    kind = turn.data.get("kind", "inquiry")
    ticket = await create_ticket(
        turn.session,
        clock=turn.ctx.clock,
        estate_id=await estate_id(turn),
        kind=kind,
        category_code="general",
        description=text,
        resident_id=turn.me.id,
        channel_account_id=turn.account.id,
        rules=await turn.rules(),
    )
    turn.say(
        turn.t(
            "Thank you! It has been registered as {ref}, and we will reply as soon as possible.",
            ref=ticket.ref,
        )
    )
    return Go(Menu.START)


flow(
    Feedback,
    {
        Feedback.START: Step(feedback_prompt, feedback_handle),
        Feedback.TEXT: Step(feedback_text_prompt, feedback_text),
        Feedback.CONFIRM: Step(feedback_confirm_prompt, feedback_confirm),
    },
)
