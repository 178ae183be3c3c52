"""Words on a ticket's timeline: the resident's messages and photos, staff replies, internal notes."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from estate.activity import feed
from estate.core.clock import Clock
from estate.core.errors import ValidationFailed
from estate.tickets import notify
from estate.tickets.attachments import link_attachments
from estate.tickets.models import TicketEvent
from estate.tickets.phrases import ForbiddenMatch, find_forbidden
from estate.tickets.queries import get_ticket
from estate.tickets.timeline import audit_ticket, record_event


class ForbiddenPhraseError(ValidationFailed):
    """A staff reply contains a forbidden phrase (服务忌语); `matches` say which and offer alternatives."""

    def __init__(self, matches: list[ForbiddenMatch]) -> None:
        super().__init__("forbidden_phrase", phrases=[m.phrase for m in matches])
        self.matches = matches


def _words(text: str | None) -> str:
    """The text without surrounding blanks; ValidationFailed when nothing is left."""
    text = (text or "").strip()
    if not text:
        raise ValidationFailed("empty_message")
    return text


async def add_resident_message(
    session: AsyncSession,
    *,
    clock: Clock,
    ticket_id: int,
    resident_id: int | None,
    text: str | None = None,
    attachment_ids: Sequence[int] = (),
) -> TicketEvent:
    """A message (and/or photos) from the resident about the ticket, on its timeline."""
    text = (text or "").strip() or None
    if text is None and not attachment_ids:
        raise ValidationFailed("empty_message")
    ticket = await get_ticket(session, ticket_id)
    now = clock.now()
    ticket.updated_at = ticket.resident_activity_at = now
    event = await record_event(session, ticket, at=now, kind="message_in", resident_id=resident_id, text=text)
    if attachment_ids:
        await link_attachments(session, ticket, event, attachment_ids)
    await feed.publish(
        session, at=now, estate_id=ticket.estate_id, kind="ticket_message", ticket_id=ticket.id
    )
    return event


async def add_staff_reply(
    session: AsyncSession, *, clock: Clock, ticket_id: int, staff_id: int, text: str
) -> TicketEvent:
    """A reply to the resident; refused (ForbiddenPhraseError) when it contains a forbidden phrase."""
    text = _words(text)
    matches = find_forbidden(text)
    if matches:
        raise ForbiddenPhraseError(matches)
    ticket = await get_ticket(session, ticket_id)
    ticket.updated_at = clock.now()
    event = await record_event(
        session, ticket, at=clock.now(), kind="message_out", staff_id=staff_id, text=text
    )
    await audit_ticket(session, clock=clock, staff_id=staff_id, action="ticket.reply", ticket=ticket)
    await notify.notify_reply(session, clock=clock, ticket=ticket, event=event)
    return event


async def add_note(
    session: AsyncSession, *, clock: Clock, ticket_id: int, staff_id: int, text: str
) -> TicketEvent:
    """An internal note; never sent to the resident."""
    text = _words(text)
    ticket = await get_ticket(session, ticket_id)
    return await record_event(session, ticket, at=clock.now(), kind="note", staff_id=staff_id, text=text)
