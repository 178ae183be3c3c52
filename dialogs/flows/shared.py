"""What the request flows share: category choices, the estate, the photo step, adding to a ticket."""

from __future__ import annotations

from dialogs.base import STAY, Go, Step, Steps
from dialogs.choices import BACK, CANCEL, DONE, SKIP, nav
from dialogs.turn import Turn
from dialogs.types import Choice, Event, text_of
from estate.tickets.categories import COMPLAINT_CATEGORIES, REPAIR_CATEGORIES
from estate.tickets.messages import add_resident_message
from estate.tickets.models import TicketKind

MAX_PHOTOS = 5


def category_choices(turn: Turn, kind: str) -> list[Choice]:
    cats = REPAIR_CATEGORIES if kind == TicketKind.REPAIR else COMPLAINT_CATEGORIES
    return [Choice(turn.t(c.label), f"cat:{c.code}") for c in cats]


async def estate_id(turn: Turn) -> int:
    estate = await turn.estate()
    assert estate is not None
    return estate.id


async def add_to_ticket(turn: Turn, ticket_id: int, event: Event) -> bool:
    """Put the resident's words or photo on the ticket's timeline; False when the event carries neither."""
    text = text_of(event)
    photos = [event.attachment_id] if event.kind == "photo" and event.attachment_id else []
    if not text and not photos:
        return False
    await add_resident_message(
        turn.session,
        clock=turn.ctx.clock,
        ticket_id=ticket_id,
        resident_id=turn.resident.id if turn.resident else None,
        text=text or None,
        attachment_ids=photos,
    )
    return True


def photo_step(then: Steps) -> Step:
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
                return Go(then)
            photos.append(event.attachment_id)
            if len(photos) >= MAX_PHOTOS:
                return Go(then)
            turn.say(
                turn.t("Photo {n} received. Send another, or tap Done.", n=len(photos)),
                nav(turn.t, DONE, BACK, CANCEL),
                request_photo=True,
            )
            return STAY
        if event.payload in (DONE, SKIP):
            return Go(then)
        return None

    return Step(prompt, handle)
