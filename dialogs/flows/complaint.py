"""Filing a complaint: a category, what happened, photos, confirmed; handled the same day."""

from __future__ import annotations

from dialogs.base import Go, Step
from dialogs.choices import BACK, CANCEL, SKIP, nav
from dialogs.flows.confirm_request import confirm_step, file_request, show_request
from dialogs.flows.shared import category_choices, photo_step
from dialogs.registry import flow
from dialogs.steps import Complaint
from dialogs.turn import Turn
from dialogs.types import Event, number_choice, text_of
from estate.tickets.categories import category
from estate.tickets.models import TicketKind
from locales import N_

PROMISE = N_("We will deal with the problem you reported right away and reply to you as soon as possible.")


async def complaint_start_prompt(turn: Turn) -> None:
    turn.say(
        turn.t("We are sorry you have a reason to complain. What is it about?"),
        category_choices(turn, TicketKind.COMPLAINT) + nav(turn.t, CANCEL),
    )


async def complaint_start(turn: Turn, event: Event) -> Go | None:
    code = number_choice(event, "cat")
    if code is None or category(TicketKind.COMPLAINT, code) is None:
        return None
    turn.data["category"] = code
    return Go(Complaint.CONTENT)


async def content_prompt(turn: Turn) -> None:
    draft = turn.data.get("content")
    if draft:
        turn.say(
            turn.t(
                'You wrote: "{text}". Type more details to replace it, or tap Skip to keep it.', text=draft
            ),
            nav(turn.t, SKIP, BACK, CANCEL),
        )
    else:
        turn.say(turn.t("Please tell us what happened, when and where."), nav(turn.t, BACK, CANCEL))


async def content_handle(turn: Turn, event: Event) -> Go | None:
    if event.payload == SKIP and turn.data.get("content"):
        return Go(Complaint.PHOTOS)
    text = text_of(event)
    if len(text) < 2:
        return None
    turn.data["content"] = text
    return Go(Complaint.PHOTOS)


async def complaint_confirm_prompt(turn: Turn) -> None:
    show_request(
        turn,
        turn.t("Please check your complaint:"),
        TicketKind.COMPLAINT,
        [turn.t("Details: {text}", text=turn.data.get("content", ""))],
    )


async def file_complaint(turn: Turn) -> None:
    ticket = await file_request(turn, TicketKind.COMPLAINT, turn.data["content"])
    turn.say(
        turn.t("Your complaint has been registered. Reference: {ref}.", ref=ticket.ref)
        + "\n"
        + turn.t(PROMISE)
        + "\n"
        + turn.t(
            "It will be handled by {deadline}.",
            deadline=turn.local(ticket.resolve_due) if ticket.resolve_due else "-",
        )
    )


flow(
    Complaint,
    {
        Complaint.START: Step(complaint_start_prompt, complaint_start),
        Complaint.CONTENT: Step(content_prompt, content_handle),
        Complaint.PHOTOS: photo_step(Complaint.CONFIRM),
        Complaint.CONFIRM: confirm_step(complaint_confirm_prompt, again=Complaint.START, file=file_complaint),
    },
)
