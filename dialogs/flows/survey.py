"""Answering the satisfaction survey that follows a resolved request (overall, speed, attitude, a comment)."""

from __future__ import annotations

from dialogs.base import Entry, Go, Step
from dialogs.choices import SKIP, nav
from dialogs.registry import flow
from dialogs.steps import Menu, Survey
from dialogs.turn import Turn
from dialogs.types import Choice, Event, number_choice, text_of
from estate.core.errors import DomainError
from estate.tickets.models import Ticket
from estate.tickets.surveys import is_low_rating, record_survey
from locales import N_

QUESTIONS = {
    "speed": N_(
        "How satisfied are you with how quickly we dealt with it? (1 = very dissatisfied, 5 = very satisfied)"
    ),
    "attitude": N_(
        "How satisfied are you with our staff's attitude? (1 = very dissatisfied, 5 = very satisfied)"
    ),
}


def rating(event: Event) -> int | None:
    raw = number_choice(event, "rate") or text_of(event)
    return int(raw) if raw in ("1", "2", "3", "4", "5") else None


def start_payload(payload: str | None) -> tuple[int, int] | None:
    """`survey:<ticket id>:overall:<1-5>` (the buttons under the survey question) -> (ticket id, rating)."""
    parts = (payload or "").split(":")
    if (
        len(parts) == 4
        and parts[0] == "survey"
        and parts[1].isdigit()
        and parts[2] == "overall"
        and parts[3] in "12345"
        and parts[3]
    ):
        return int(parts[1]), int(parts[3])
    return None


def rating_step(key: str, then: Survey) -> Step:
    async def prompt(turn: Turn) -> None:
        turn.say(turn.t(QUESTIONS[key]), [Choice(str(n), f"rate:{n}") for n in range(5, 0, -1)])

    async def handle(turn: Turn, event: Event) -> Go | None:
        value = rating(event)
        if value is None:
            return None
        turn.data[key] = value
        return Go(then)

    return Step(prompt, handle)


def is_start(payload: str) -> bool:
    return start_payload(payload) is not None


async def begin(turn: Turn, event: Event) -> Go:
    """Start the survey from the overall rating the resident tapped, wherever the chat was."""
    ticket_id, overall = start_payload(event.payload) or (0, 0)
    ticket = await turn.session.get(Ticket, ticket_id)
    if ticket is None or turn.resident is None or ticket.resident_id != turn.me.id:
        turn.say(turn.t("Sorry, this survey is not for this chat."))
        return Go(Menu.START)
    turn.data.clear()
    turn.data.update(ticket=ticket_id, overall=overall)
    return Go(Survey.SPEED)


async def comment_prompt(turn: Turn) -> None:
    turn.say(turn.t("Anything else you would like to tell us? Type it, or tap Skip."), nav(turn.t, SKIP))


async def comment_handle(turn: Turn, event: Event) -> Go | None:
    if event.payload != SKIP and not text_of(event):
        return None
    d = turn.data
    try:
        survey = await record_survey(
            turn.session,
            clock=turn.ctx.clock,
            ticket_id=d["ticket"],
            resident_id=turn.me.id,
            overall=d["overall"],
            speed=d["speed"],
            attitude=d["attitude"],
            comment=text_of(event) or None,
            rules=await turn.rules(),
        )
    except DomainError:
        turn.say(turn.t("Thank you, this survey has already been answered."))
        return Go(Menu.START)
    if is_low_rating(survey, await turn.rules()):
        turn.say(
            turn.t(
                "We are sorry we did not meet your expectations. A supervisor will look into it and contact you."
            )
        )
    else:
        turn.say(turn.t("Thank you for your feedback! It helps us serve you better."))
    return Go(Menu.START)


# The buttons under the survey message (queued by the `callbacks_due` job) start it from any step.
flow(
    Survey,
    {
        Survey.SPEED: rating_step("speed", Survey.ATTITUDE),
        Survey.ATTITUDE: rating_step("attitude", Survey.COMMENT),
        Survey.COMMENT: Step(comment_prompt, comment_handle),
    },
    starts_from={"survey": Entry(begin, accepts=is_start)},
)
