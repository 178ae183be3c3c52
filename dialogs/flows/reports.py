"""Reporting a repair, filing a complaint, asking a question or making a suggestion: each ends in a ticket."""

from __future__ import annotations

from dialogs.base import STAY, Go, Step, Turn, flow, number_choice, text_of
from dialogs.choices import BACK, CANCEL, DONE, NO, SKIP, YES, nav
from dialogs.types import Choice, Event
from dialogs.understand import category_of
from estate.models import TicketKind, Urgency
from estate.sla import COMPLAINT_CATEGORIES, REPAIR_CATEGORIES, URGENT_CATEGORIES, category
from estate.tickets import create_ticket
from locales import N_

MAX_PHOTOS = 5
WINDOWS = {
    "asap": N_("As soon as possible"),
    "morning": N_("This morning (9:00–12:00)"),
    "afternoon": N_("This afternoon (14:00–18:00)"),
    "evening": N_("This evening (18:00–20:00)"),
    "tomorrow": N_("Tomorrow"),
}
PROMISE = N_("We will deal with the problem you reported right away and reply to you as soon as possible.")


def category_choices(turn: Turn, kind: str) -> list[Choice]:
    cats = REPAIR_CATEGORIES if kind == TicketKind.REPAIR else COMPLAINT_CATEGORIES
    return [Choice(turn.t(c.label), f"cat:{c.code}") for c in cats]


async def _estate_id(turn: Turn) -> int:
    estate = await turn.estate()
    assert estate is not None
    return estate.id


def photo_step(kind: str, next_step: str) -> Step:
    """Up to five photos, then Done or Skip."""

    async def prompt(turn: Turn) -> None:
        n = len(turn.data.get("photos", []))
        text = (
            turn.t("You can send up to 5 photos. Tap Done when you have finished, or Skip.")
            if n == 0
            else turn.t("{n} photo(s) received. Send more, or tap Done.", n=n)
        )
        turn.say(text, nav(turn.t, DONE if n else SKIP, BACK, CANCEL), request_photo=True)

    async def handle(turn: Turn, event: Event) -> Go | None:
        if event.kind == "photo" and event.attachment_id is not None:
            photos = turn.data.setdefault("photos", [])
            if len(photos) >= MAX_PHOTOS:
                turn.say(turn.t("That is already 5 photos, the most we can take."))
                return Go(kind, next_step)
            photos.append(event.attachment_id)
            if len(photos) >= MAX_PHOTOS:
                return Go(kind, next_step)
            turn.say(
                turn.t("Photo {n} received. Send another, or tap Done.", n=len(photos)),
                nav(turn.t, DONE, BACK, CANCEL),
                request_photo=True,
            )
            return STAY
        if event.payload in (DONE, SKIP):
            return Go(kind, next_step)
        return None

    return Step(prompt, handle)


# ---------------------------------------------------------------- repair


async def repair_start_prompt(turn: Turn) -> None:
    turn.say(
        turn.t("What needs repairing? Choose a category, or describe the problem in a few words."),
        category_choices(turn, TicketKind.REPAIR) + nav(turn.t, CANCEL),
    )


async def repair_start(turn: Turn, event: Event) -> Go | None:
    code = number_choice(event, "cat")
    text = text_of(event)
    if code is not None and category(TicketKind.REPAIR, code) is not None:
        turn.data["category"] = code
        return Go("repair", "location")
    if len(text) >= 2:  # an emergency never gets here: the engine has recorded it already
        turn.data.update(category=await category_of(turn, text, "repair") or "other", description=text)
        return Go("repair", "location")
    return None


async def location_prompt(turn: Turn) -> None:
    unit = await turn.unit()
    turn.say(
        turn.t("Where is the problem?"),
        [
            Choice(turn.t("In my home ({unit})", unit=unit.code if unit else ""), "loc:home"),
            Choice(turn.t("In a common area"), "loc:common"),
        ]
        + nav(turn.t, BACK, CANCEL),
    )


def _after_location(turn: Turn) -> Go:
    return Go("repair", "photos" if turn.data.get("description") else "description")


async def location_handle(turn: Turn, event: Event) -> Go | None:
    where = number_choice(event, "loc")
    if where == "home":
        turn.data["where"] = None
        return _after_location(turn)
    if where == "common":
        return Go("repair", "where")
    return None


async def where_prompt(turn: Turn) -> None:
    turn.say(
        turn.t('Please tell us exactly where, for example "Building 3, lift lobby on the ground floor".'),
        nav(turn.t, BACK, CANCEL),
    )


async def where_handle(turn: Turn, event: Event) -> Go | None:
    text = text_of(event)
    if len(text) < 2:
        return None
    turn.data["where"] = text
    return _after_location(turn)


async def description_prompt(turn: Turn) -> None:
    turn.say(turn.t("Please describe the problem."), nav(turn.t, BACK, CANCEL))


async def description_handle(turn: Turn, event: Event) -> Go | None:
    text = text_of(event)
    if len(text) < 2:
        return None
    turn.data["description"] = text
    return Go("repair", "photos")


async def window_prompt(turn: Turn) -> None:
    turn.say(
        turn.t("When would you like the technician to come? Choose, or type a time that suits you."),
        [Choice(turn.t(label), f"win:{key}") for key, label in WINDOWS.items()] + nav(turn.t, BACK, CANCEL),
    )


async def window_handle(turn: Turn, event: Event) -> Go | None:
    key = number_choice(event, "win")
    if key in WINDOWS:
        turn.data["window"] = key
    elif len(text_of(event)) >= 2:
        turn.data["window"] = "text:" + text_of(event)
    else:
        return None
    return Go("repair", "confirm")


def _window_label(turn: Turn) -> str:
    window = turn.data.get("window") or "asap"
    return window[5:] if window.startswith("text:") else turn.t(WINDOWS[window])


def _urgent(turn: Turn) -> bool:
    return bool(turn.data.get("urgent")) or turn.data.get("category") in URGENT_CATEGORIES


async def repair_confirm_prompt(turn: Turn) -> None:
    t = turn.t
    unit = await turn.unit()
    cat = category(TicketKind.REPAIR, turn.data.get("category", "other"))
    turn.say(
        t("Please check your repair request:")
        + "\n"
        + t("Category: {category}", category=t(cat.label) if cat else "-")
        + "\n"
        + t("Where: {where}", where=turn.data.get("where") or (unit.code if unit else "-"))
        + "\n"
        + t("Problem: {description}", description=turn.data.get("description", ""))
        + "\n"
        + t("Photos: {n}", n=len(turn.data.get("photos", [])))
        + "\n"
        + t("Visit: {window}", window=_window_label(turn))
        + "\n"
        + (t("Urgent: yes") if _urgent(turn) else t("Urgent: no")),
        nav(t, YES, NO, CANCEL),
    )


async def repair_confirm(turn: Turn, event: Event) -> Go | None:
    if event.payload == NO:
        return Go("repair", "start")
    if event.payload != YES:
        return None
    ticket = await create_ticket(
        turn.session,
        clock=turn.ctx.clock,
        estate_id=await _estate_id(turn),
        kind=TicketKind.REPAIR,
        category_code=turn.data.get("category") or "other",
        description=turn.data["description"],
        resident_id=turn.me.id,
        unit_id=None if turn.data.get("where") else turn.me.unit_id,
        location_text=turn.data.get("where"),
        urgency=Urgency.URGENT if _urgent(turn) else None,
        preferred_window=_window_label(turn),
        channel_account_id=turn.account.id,
        attachment_ids=turn.data.get("photos", []),
    )
    turn.say(
        turn.t(
            "Your repair request has been registered. Reference: {ref}. It will be passed to our technicians by {deadline}.",
            ref=ticket.ref,
            deadline=turn.local(ticket.dispatch_due) if ticket.dispatch_due else "-",
        )
    )
    return Go("menu")


flow(
    "repair",
    {
        "start": Step(repair_start_prompt, repair_start),
        "location": Step(location_prompt, location_handle),
        "where": Step(where_prompt, where_handle),
        "description": Step(description_prompt, description_handle),
        "photos": photo_step("repair", "window"),
        "window": Step(window_prompt, window_handle),
        "confirm": Step(repair_confirm_prompt, repair_confirm),
    },
)


# ---------------------------------------------------------------- complaint


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
    return Go("complaint", "content")


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
        return Go("complaint", "photos")
    text = text_of(event)
    if len(text) < 2:
        return None
    turn.data["content"] = text
    return Go("complaint", "photos")


async def complaint_confirm_prompt(turn: Turn) -> None:
    t = turn.t
    cat = category(TicketKind.COMPLAINT, turn.data.get("category", "other"))
    turn.say(
        t("Please check your complaint:")
        + "\n"
        + t("Category: {category}", category=t(cat.label) if cat else "-")
        + "\n"
        + t("Details: {text}", text=turn.data.get("content", ""))
        + "\n"
        + t("Photos: {n}", n=len(turn.data.get("photos", []))),
        nav(t, YES, NO, CANCEL),
    )


async def complaint_confirm(turn: Turn, event: Event) -> Go | None:
    if event.payload == NO:
        return Go("complaint", "start")
    if event.payload != YES:
        return None
    ticket = await create_ticket(
        turn.session,
        clock=turn.ctx.clock,
        estate_id=await _estate_id(turn),
        kind=TicketKind.COMPLAINT,
        category_code=turn.data.get("category") or "other",
        description=turn.data["content"],
        resident_id=turn.me.id,
        channel_account_id=turn.account.id,
        attachment_ids=turn.data.get("photos", []),
    )
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
    return Go("menu")


flow(
    "complaint",
    {
        "start": Step(complaint_start_prompt, complaint_start),
        "content": Step(content_prompt, content_handle),
        "photos": photo_step("complaint", "confirm"),
        "confirm": Step(complaint_confirm_prompt, complaint_confirm),
    },
)


# ---------------------------------------------------------------- inquiry and suggestion


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
    return Go("feedback", "text")


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
        return Go("feedback", "text")
    if event.payload != YES or not turn.data.get("text"):
        return None
    return await _register_feedback(turn, turn.data["text"])


async def _register_feedback(turn: Turn, text: str) -> Go:
    kind = turn.data.get("kind", "inquiry")
    ticket = await create_ticket(
        turn.session,
        clock=turn.ctx.clock,
        estate_id=await _estate_id(turn),
        kind=kind,
        category_code="general",
        description=text,
        resident_id=turn.me.id,
        channel_account_id=turn.account.id,
    )
    turn.say(
        turn.t(
            "Thank you! It has been registered as {ref}, and we will reply as soon as possible.",
            ref=ticket.ref,
        )
    )
    return Go("menu")


flow(
    "feedback",
    {
        "start": Step(feedback_prompt, feedback_handle),
        "text": Step(feedback_text_prompt, feedback_text),
        "confirm": Step(feedback_confirm_prompt, feedback_confirm),
    },
)
