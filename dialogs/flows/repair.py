"""Reporting a repair: a category (or the words), where, what, photos, when the technician may come."""

from __future__ import annotations

from dialogs.base import Go, Step
from dialogs.choices import BACK, CANCEL, NO, YES, nav
from dialogs.flows.shared import category_choices, estate_id, photo_step
from dialogs.registry import flow
from dialogs.steps import Menu, Repair
from dialogs.turn import Turn
from dialogs.types import Choice, Event, number_choice, text_of
from dialogs.understand import category_of
from estate.tickets.categories import URGENT_CATEGORIES, category
from estate.tickets.create import create_ticket
from estate.tickets.models import TicketKind, Urgency
from locales import N_

WINDOWS = {
    "asap": N_("As soon as possible"),
    "morning": N_("This morning (9:00–12:00)"),
    "afternoon": N_("This afternoon (14:00–18:00)"),
    "evening": N_("This evening (18:00–20:00)"),
    "tomorrow": N_("Tomorrow"),
}


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
        return Go(Repair.LOCATION)
    if len(text) >= 2:  # an emergency never gets here: the engine has recorded it already
        turn.data.update(category=await category_of(turn, text, "repair") or "other", description=text)
        return Go(Repair.LOCATION)
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
    return Go(Repair.PHOTOS if turn.data.get("description") else Repair.DESCRIPTION)


async def location_handle(turn: Turn, event: Event) -> Go | None:
    where = number_choice(event, "loc")
    if where == "home":
        turn.data["where"] = None
        return _after_location(turn)
    if where == "common":
        return Go(Repair.WHERE)
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
    return Go(Repair.PHOTOS)


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
    return Go(Repair.CONFIRM)


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
        return Go(Repair.START)
    if event.payload != YES:
        return None
    ticket = await create_ticket(
        turn.session,
        clock=turn.ctx.clock,
        estate_id=await estate_id(turn),
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
        rules=turn.ctx.rules,
    )
    turn.say(
        turn.t(
            "Your repair request has been registered. Reference: {ref}. It will be passed to our technicians by {deadline}.",
            ref=ticket.ref,
            deadline=turn.local(ticket.dispatch_due) if ticket.dispatch_due else "-",
        )
    )
    return Go(Menu.START)


flow(
    Repair,
    {
        Repair.START: Step(repair_start_prompt, repair_start),
        Repair.LOCATION: Step(location_prompt, location_handle),
        Repair.WHERE: Step(where_prompt, where_handle),
        Repair.DESCRIPTION: Step(description_prompt, description_handle),
        Repair.PHOTOS: photo_step(Repair.WINDOW),
        Repair.WINDOW: Step(window_prompt, window_handle),
        Repair.CONFIRM: Step(repair_confirm_prompt, repair_confirm),
    },
)
