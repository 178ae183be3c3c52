"""Opening a ticket: its reference number, where it is, its urgency and deadlines, and the first event.

Complaints are never deleted: there is no delete of tickets at all (事事有记录，事事有结果).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from estate.activity import feed
from estate.core.clock import Clock
from estate.core.errors import ValidationFailed
from estate.core.rules import DEFAULT_RULES, ServiceRules
from estate.messaging.outbox import enqueue_to_resident
from estate.residents.models import Resident, Unit
from estate.tickets.attachments import link_attachments
from estate.tickets.categories import default_urgency, require_category
from estate.tickets.escalation import escalate
from estate.tickets.models import Ticket, TicketKind, TicketStatus, Urgency
from estate.tickets.refs import next_ref
from estate.tickets.sla import dispatch_deadline, estate_timezone, resolve_deadline
from estate.tickets.timeline import audit_ticket, record_event
from locales import N_, Translator

SOURCES = ("phone", "walk_in", "patrol", "live_chat")  # how a ticket came in when not by a chat (None)


async def _place(
    session: AsyncSession, resident_id: int | None, unit_id: int | None, location_text: str | None
) -> tuple[int | None, int | None]:
    """The unit and building of the ticket: the resident's own unit when no place was given."""
    if resident_id is not None and unit_id is None and not location_text:
        resident = await session.get(Resident, resident_id)
        unit_id = resident.unit_id if resident else None
    unit = await session.get(Unit, unit_id) if unit_id is not None else None
    return unit_id, unit.building_id if unit else None


async def _record_opening(
    session: AsyncSession,
    *,
    clock: Clock,
    ticket: Ticket,
    staff_id: int | None,
    attachment_ids: Sequence[int],
) -> None:
    """The "created" event with its photos, the supervisor's escalation of a major complaint, the audit."""
    data = {"urgency": ticket.urgency, "category": ticket.category}
    event = await record_event(
        session,
        ticket,
        at=ticket.created_at,
        kind="created",
        staff_id=staff_id,
        resident_id=ticket.resident_id,
        text=ticket.description,
        data=data,
    )
    if attachment_ids:
        await link_attachments(session, ticket, event, attachment_ids)
    if ticket.major:
        await escalate(session, ticket, at=ticket.created_at, level=1, reason="major")
    if staff_id is not None:
        await audit_ticket(session, clock=clock, staff_id=staff_id, action="ticket.create", ticket=ticket)


def _urgency(kind: str, category_code: str, urgency: str | None) -> str:
    """The urgency asked for, else the category's own; ValidationFailed for one that does not exist."""
    urgency = urgency or default_urgency(kind, category_code)
    if urgency not in set(Urgency):
        raise ValidationFailed("bad_urgency", urgency=urgency)
    return urgency


async def create_ticket(
    session: AsyncSession,
    *,
    clock: Clock,
    estate_id: int,
    kind: str,
    category_code: str,
    description: str,
    resident_id: int | None = None,
    unit_id: int | None = None,
    location_text: str | None = None,
    urgency: str | None = None,
    major: bool = False,
    preferred_window: str | None = None,
    channel_account_id: int | None = None,
    attachment_ids: Sequence[int] = (),
    staff_id: int | None = None,
    source: str | None = None,
    rules: ServiceRules = DEFAULT_RULES,
) -> Ticket:
    """Open a ticket with its reference number and deadlines (`source`: how it came in, None for a chat); a major
    complaint goes to the supervisor at once."""
    require_category(kind, category_code)
    description = (description or "").strip()
    if not description:
        raise ValidationFailed("empty_description")
    now = clock.now()
    unit_id, building_id = await _place(session, resident_id, unit_id, location_text)
    urgency = _urgency(kind, category_code, urgency)
    tz = await estate_timezone(session, estate_id)
    dispatch_due = dispatch_deadline(kind=kind, urgency=urgency, created_at=now, tz=tz, rules=rules)
    resolve_due = resolve_deadline(kind=kind, created_at=now, tz=tz, dispatch_due=dispatch_due, rules=rules)
    ticket = Ticket(
        ref=await next_ref(session, kind=kind, at=now, tz=tz),
        estate_id=estate_id,
        kind=kind,
        category=category_code,
        unit_id=unit_id,
        building_id=building_id,
        location_text=location_text,
        description=description,
        urgency=urgency,
        major=major and kind == TicketKind.COMPLAINT,
        preferred_window=preferred_window,
        status=TicketStatus.NEW,
        resident_id=resident_id,
        channel_account_id=channel_account_id,
        source=source,
        created_at=now,
        updated_at=now,
        dispatch_due=dispatch_due,
        resolve_due=resolve_due,
    )  # escalation_level and reopen_count start at their default, 0
    session.add(ticket)
    await session.flush()
    await _record_opening(
        session, clock=clock, ticket=ticket, staff_id=staff_id, attachment_ids=attachment_ids
    )
    if urgency == Urgency.URGENT:  # the open console pages hear of it at once
        await feed.publish(session, at=now, estate_id=estate_id, kind="ticket_urgent", ticket_id=ticket.id)
    return ticket


REGISTERED = N_(
    "Hello, we have registered your request {ref}: {description} "
    "We will deal with it as soon as possible and keep you informed."
)


async def register_ticket(
    session: AsyncSession,
    *,
    clock: Clock,
    staff_id: int,
    source: str,
    resident_id: int | None = None,
    **details: Any,
) -> Ticket:
    """A ticket the front desk registers for a phone call, a visit or a patrol (来电来访登记): opened like a
    chat ticket (`details` are `create_ticket`'s), with its source, audited as the staff member's, and the
    resident told on their channel (when bound) that it is registered."""
    if source not in SOURCES:
        raise ValidationFailed("bad_source", source=source)
    ticket = await create_ticket(
        session, clock=clock, staff_id=staff_id, source=source, resident_id=resident_id, **details
    )
    if resident_id is not None:
        await enqueue_to_resident(
            session,
            clock=clock,
            resident_id=resident_id,
            key=f"ticket:{ticket.id}:registered",
            text_for=lambda locale: Translator(locale)(
                REGISTERED, ref=ticket.ref, description=ticket.description
            ),
            kind="status",
            payload={"ticket_ref": ticket.ref, "status": TicketStatus.NEW},
            ticket_id=ticket.id,
        )
    return ticket
