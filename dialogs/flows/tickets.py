"""The resident's requests: the list with each one's stage in words, one request's progress (what happens
next and by when, the technician, photos, the rating given, the timeline a resident may see), and what they
may do there: add a message or photo, urge (once per the rules' interval), rate a resolved request.

What a resident may see is decided in `estate.tickets.resident_view`; this module only words it.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from dialogs.base import STAY, Go, Step
from dialogs.choices import BACK, MENU, nav
from dialogs.flows.shared import add_to_ticket
from dialogs.registry import flow
from dialogs.steps import Menu, Tickets
from dialogs.turn import Turn
from dialogs.types import Choice, Event, number_choice
from estate.core.errors import RateLimited
from estate.residents.models import Estate
from estate.tickets.jobs import SURVEY_QUESTION
from estate.tickets.models import Ticket
from estate.tickets.resident_view import (
    NEXT_STEPS,
    STAGES,
    Line,
    ResidentView,
    resident_tickets,
    resident_view,
    stage_of,
)
from estate.tickets.urging import urge_ticket
from locales import N_, Translator

# The view's actions (`ResidentView.actions`): the payload of each button and its label.
ACTIONS = {
    "message": ("tka:msg", N_("Add a message or photo")),
    "urge": ("tka:urge", N_("Urge")),
    "rate": ("tka:rate", N_("Rate this request")),
}
SHOWS_PHOTOS = ("webchat",)  # channels that show the photos themselves; the others are told how many


async def _current(turn: Turn) -> Ticket:
    """The ticket the resident is looking at (chosen from their own list)."""
    ticket = await turn.session.get(Ticket, turn.data["ticket"])
    assert ticket is not None
    return ticket


async def _own_ticket(turn: Turn, raw: str | None) -> Ticket | None:
    if raw is None or not raw.isdigit():
        return None
    ticket = await turn.session.get(Ticket, int(raw))
    return ticket if ticket is not None and ticket.resident_id == turn.me.id else None


async def _view(turn: Turn, ticket: Ticket) -> tuple[ResidentView, ZoneInfo]:
    """The resident's view of the ticket, under its estate's rules, and the estate's zone to show times in."""
    estate = await turn.session.get(Estate, ticket.estate_id)
    view = await resident_view(turn.session, ticket=ticket, now=turn.now, rules=turn.ctx.rules_for(estate))
    return view, turn.ctx.tz_for(estate)


def _choices(t: Translator, view: ResidentView) -> list[Choice]:
    """The actions open on this request, then Back (to the list) and the menu."""
    return [Choice(t(ACTIONS[a][1]), ACTIONS[a][0]) for a in view.actions] + nav(t, BACK, MENU)


async def list_prompt(turn: Turn) -> None:
    rows = await resident_tickets(turn.session, resident_id=turn.me.id)
    if not rows:
        turn.say(turn.t("You have no open requests."), nav(turn.t, MENU))
        return
    turn.say(
        turn.t("Your requests — choose one to see its progress:"),
        [Choice(f"{r.ref} · {turn.t(STAGES[stage_of(r)])}", f"tk:{r.id}") for r in rows] + nav(turn.t, MENU),
    )


async def list_handle(turn: Turn, event: Event) -> Go | None:
    if event.payload == MENU:
        return Go(Menu.START)
    ticket = await _own_ticket(turn, number_choice(event, "tk"))
    if ticket is None:
        return None
    turn.data["ticket"] = ticket.id
    return Go(Tickets.VIEW)


def _line(t: Translator, tz: ZoneInfo, line: Line, *, count_photos: bool) -> str:
    """One timeline line: when, what, the words of a message, how many photos (where the channel does not show
    them), how many times in a row."""
    what = t("{what}: {text}", what=t(line.label), text=line.text) if line.text else t(line.label)
    text = f"  · {line.at.astimezone(tz):%m-%d %H:%M} {what}"
    text += " " + t("Photos: {n}", n=line.photos) if line.photos and count_photos else ""
    return text + (" " + t("({n} times)", n=line.count) if line.count > 1 else "")


def _summary(turn: Turn, view: ResidentView, tz: ZoneInfo) -> list[str]:
    """The lines above the timeline: stage, description, next step, technician, rating, photos."""
    t, ticket = turn.t, view.ticket

    def local(at: datetime | None) -> str:
        return f"{at.astimezone(tz):%m-%d %H:%M}" if at else ""

    lines = [t("{ref}: {status}", ref=ticket.ref, status=t(STAGES[view.stage])), ticket.description]
    if view.next_step:
        lines.append(t(NEXT_STEPS[view.next_step], due=local(view.due)))
    if view.technician:
        lines.append(t("Technician: {name}", name=view.technician))
    if view.rating:
        r = view.rating
        lines.append(
            t(
                "Your rating: overall {overall}/5, speed {speed}/5, attitude {attitude}/5",
                overall=r.overall,
                speed=r.speed,
                attitude=r.attitude,
            )
        )
    if view.photos and turn.account.channel not in SHOWS_PHOTOS:
        lines.append(t("Photos: {n}", n=len(view.photos)))
    if view.urge_again_at:
        lines.append(t("You can urge again after {time}.", time=local(view.urge_again_at)))
    return lines


async def view_prompt(turn: Turn) -> None:
    view, tz = await _view(turn, await _current(turn))
    count_photos = turn.account.channel not in SHOWS_PHOTOS
    lines = _summary(turn, view, tz) + [_line(turn.t, tz, ln, count_photos=count_photos) for ln in view.lines]
    turn.say("\n".join(lines), _choices(turn.t, view))
    turn.replies[-1].photos = list(view.photos)


async def _urge(turn: Turn, ticket: Ticket) -> None:
    """Urge the request, or say when that is possible again; either way the request's actions stay."""
    try:
        await urge_ticket(
            turn.session,
            clock=turn.ctx.clock,
            ticket_id=ticket.id,
            resident_id=turn.me.id,
            min_interval=(await turn.rules()).urge_interval,
        )
        text = turn.t(
            "We have reminded the staff handling {ref}. Thank you for your patience.", ref=ticket.ref
        )
    except RateLimited as exc:
        text = turn.t(
            "You urged this request a short while ago. Please try again in {minutes} minutes.",
            minutes=exc.params["minutes"],
        )
    view, _tz = await _view(turn, ticket)
    turn.say(text, _choices(turn.t, view))


async def _ask_rating(turn: Turn, ticket: Ticket) -> None:
    """The survey's first question; its buttons start the survey flow (`survey:<ticket>:overall:<n>`)."""
    turn.say(
        turn.t(SURVEY_QUESTION, ref=ticket.ref),
        [Choice(str(n), f"survey:{ticket.id}:overall:{n}") for n in range(5, 0, -1)] + nav(turn.t, BACK),
    )


async def view_handle(turn: Turn, event: Event) -> Go | None:
    action = number_choice(event, "tka")
    if event.payload == MENU:
        return Go(Menu.START)
    if action == "msg":
        return Go(Tickets.MESSAGE)
    ticket = await _current(turn)
    view, _tz = await _view(turn, ticket)
    if action == "urge" and ("urge" in view.actions or view.urge_again_at):
        await _urge(turn, ticket)
        return STAY
    if action == "rate" and "rate" in view.actions:
        await _ask_rating(turn, ticket)
        return STAY
    return None  # an old button (a request no longer open to it): not understood, the view is shown again


async def message_prompt(turn: Turn) -> None:
    turn.say(turn.t("Type your message, or send a photo."), nav(turn.t, BACK), request_photo=True)


async def message_handle(turn: Turn, event: Event) -> Go | None:
    ticket = await _current(turn)
    if not await add_to_ticket(turn, ticket.id, event):
        return None
    turn.say(turn.t("Thank you, it has been added to {ref}. Our staff will see it.", ref=ticket.ref))
    return Go(Tickets.VIEW)


flow(
    Tickets,
    {
        Tickets.START: Step(list_prompt, list_handle),
        Tickets.VIEW: Step(view_prompt, view_handle),
        Tickets.MESSAGE: Step(message_prompt, message_handle),
    },
)
