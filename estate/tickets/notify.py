"""Messages to residents about their tickets: every status change and every staff reply (DESIGN §3)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncSession

from estate.core.clock import Clock
from estate.messaging.models import ChannelAccount
from estate.messaging.outbox import enqueue, enqueue_to_resident
from estate.staff.models import Department
from estate.tickets.models import Ticket, TicketEvent, TicketStatus
from locales import N_, Translator

DEPARTMENT_LABELS: dict[str, str] = {
    Department.ENGINEERING: N_("Engineering"),
    Department.CLEANING: N_("Cleaning"),
    Department.SECURITY: N_("Security"),
    Department.GREENING: N_("Greening"),
    Department.SERVICE: N_("Customer service"),
}

STATUS_MESSAGES: dict[str, str] = {
    TicketStatus.CLAIMED: N_(
        "Hello, your request {ref} has been taken up by our customer service. "
        "We will deal with it right away and reply to you as soon as possible."
    ),
    TicketStatus.DISPATCHED: N_(
        "Your request {ref} has been passed to the {department} department. They will contact you shortly."
    ),
    TicketStatus.IN_PROGRESS: N_("Work on your request {ref} has started."),
    TicketStatus.RESOLVED: N_(
        "Your request {ref} has been resolved: {result} We will follow up with you to ask how satisfied you are."
    ),
    TicketStatus.CLOSED: N_(
        "Your request {ref} is now closed. Thank you for your patience and understanding."
    ),
    "reopened": N_("Your request {ref} has been reopened. We will follow it up and keep you informed."),
}

STATUS_LABELS: dict[str, str] = {
    TicketStatus.NEW: N_("Received"),
    TicketStatus.CLAIMED: N_("Being handled"),
    TicketStatus.DISPATCHED: N_("Dispatched"),
    TicketStatus.IN_PROGRESS: N_("In progress"),
    TicketStatus.RESOLVED: N_("Resolved"),
    TicketStatus.CALLBACK_DONE: N_("Followed up"),
    TicketStatus.CLOSED: N_("Closed"),
}


def department_label(t: Translator, department: str | None) -> str:
    return t(DEPARTMENT_LABELS.get(department or "", N_("Customer service")))


async def notify_status(
    session: AsyncSession, *, clock: Clock, ticket: Ticket, event: TicketEvent, what: str
) -> int:
    """Queue the status message `what` (a status or "reopened") about `ticket` to its resident.

    Status changes are not held for quiet hours: the resident is waiting for them, and the seeds ask
    that the customer be told promptly while an issue is handled.
    """
    if what not in STATUS_MESSAGES:
        return 0

    def text_for(locale: str | None) -> str:
        t = Translator(locale)
        return t(
            STATUS_MESSAGES[what],
            ref=ticket.ref,
            department=department_label(t, ticket.department),
            result=(ticket.result or "").strip(),
        )

    return await _to_ticket_chat(
        session,
        clock=clock,
        ticket=ticket,
        key=f"ticket:{ticket.id}:status:{what}:{event.id}",
        text_for=text_for,
        kind="status",
        payload={"ticket_ref": ticket.ref, "status": what},
    )


async def notify_reply(session: AsyncSession, *, clock: Clock, ticket: Ticket, event: TicketEvent) -> int:
    """Queue a staff member's reply to the resident on the channel the ticket came from."""

    def text_for(locale: str | None) -> str:
        t = Translator(locale)
        return t("[{ref}] {text}", ref=ticket.ref, text=event.text or "")

    return await _to_ticket_chat(
        session,
        clock=clock,
        ticket=ticket,
        key=f"ticket:{ticket.id}:reply:{event.id}",
        text_for=text_for,
        kind="reply",
        payload={"ticket_ref": ticket.ref},
    )


async def _to_ticket_chat(
    session: AsyncSession,
    *,
    clock: Clock,
    ticket: Ticket,
    key: str,
    text_for: Callable[[str | None], str],
    kind: str,
    payload: dict,
) -> int:
    """Queue a message about the ticket to its resident, or, for an emergency reported by a chat that is
    not bound yet, to that chat while it is still unbound (nobody else's words reach it)."""
    if ticket.resident_id is not None:
        return await enqueue_to_resident(
            session,
            clock=clock,
            resident_id=ticket.resident_id,
            key=key,
            text_for=text_for,
            kind=kind,
            payload=payload,
            prefer_account_id=ticket.channel_account_id,
            ticket_id=ticket.id,
        )
    account = (
        await session.get(ChannelAccount, ticket.channel_account_id) if ticket.channel_account_id else None
    )
    if account is None or account.resident_id is not None or account.blocked:
        return 0
    inserted = await enqueue(
        session,
        clock=clock,
        dedupe_key=f"{key}:{account.channel}:{account.id}",
        channel=account.channel,
        channel_account_id=account.id,
        text=text_for(account.locale),
        kind=kind,
        payload=payload,
        ticket_id=ticket.id,
    )
    return int(inserted)
