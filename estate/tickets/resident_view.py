"""What a resident may see of their own request: its stage in plain words, what happens next and by when,
the technician's name, the photos, the rating they gave, the timeline without the staff's internal lines
(claims, notes, escalations, reclassifications), and what they may do now (add a message, urge, rate).

Data and N_ labels only: the chat turns them into sentences in the resident's language and local time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from estate.core.rules import ServiceRules
from estate.staff.models import Staff
from estate.tickets.models import (
    Attachment,
    CallbackStatus,
    CallbackTask,
    Survey,
    Ticket,
    TicketEvent,
    TicketStatus,
)
from estate.tickets.queries import timeline
from estate.tickets.transitions import OPEN_STATUSES, allowed_actions
from locales import N_

S = TicketStatus

# Where the request stands, as the resident would say it (derived from the status and the reopen count).
STAGES: dict[str, str] = {
    "received": N_("Received"),
    "handling": N_("Being handled"),
    "reopened": N_("Reopened, being followed up"),
    "dispatched": N_("Passed to the responsible department"),
    "waiting_technician": N_("Waiting for the technician"),
    "in_progress": N_("In progress"),
    "resolved": N_("Resolved, awaiting your confirmation"),
    "completed": N_("Completed"),
    "closed": N_("Closed"),
}

# What happens next; "{due}" is the deadline in the estate's local time.
NEXT_STEPS: dict[str, str] = {
    "dispatch": N_("Next: we pass it to the responsible department by {due}."),
    "reply": N_("Next: we reply to you by {due}."),
    "reply_soon": N_("Next: we reply to you as soon as possible."),
    "follow_up": N_("Next: we follow it up again and keep you informed."),
    "fix": N_("Next: it should be resolved by {due}."),
    "contact": N_("Next: the staff in charge contact you to arrange a time."),
    "finish_soon": N_("Next: we tell you as soon as the work is finished."),
    "confirm": N_("Next: please tell us whether you are satisfied with the result."),
    "late": N_(
        "We are sorry this is taking longer than planned ({due}). We are following it up and will keep "
        "you informed."
    ),
}

# The timeline lines a resident sees; every other kind of event is the staff's own business.
LINES: dict[str, str] = {
    "created": N_("Received"),
    "dispatched": N_("Passed to the technicians"),
    "started": N_("Work started"),
    "message_in": N_("Your message"),
    "message_out": N_("Our reply"),
    "resolved": N_("Resolved"),
    "reopened": N_("Reopened"),
    "closed": N_("Closed"),
    "urged": N_("You urged"),
    "survey": N_("Your rating"),
}
WITH_TEXT = ("message_in", "message_out", "resolved")  # lines whose words the resident may read
LAST_LINES = 8


@dataclass(frozen=True)
class Line:
    """One line of the resident's timeline; `count` > 1 when the same line came several times in a row."""

    at: datetime
    label: str
    text: str | None = None
    photos: int = 0
    count: int = 1


@dataclass(frozen=True)
class Rating:
    overall: int
    speed: int
    attitude: int
    comment: str | None


@dataclass(frozen=True)
class ResidentView:
    """Everything the resident is shown of one request; `actions` are among message, urge, rate."""

    ticket: Ticket
    stage: str
    next_step: str | None
    due: datetime | None
    technician: str | None
    photos: list[int]
    rating: Rating | None
    lines: list[Line]
    actions: list[str]
    urge_again_at: datetime | None


def stage_of(ticket: Ticket) -> str:
    """The ticket's stage (a key of STAGES): what really happened, never an internal code."""
    status = ticket.status
    if status in (S.NEW, S.CLAIMED) and ticket.reopen_count:
        return "reopened"
    if status == S.DISPATCHED:
        return "waiting_technician" if ticket.technician_id else "dispatched"
    stages: dict[str, str] = {
        S.NEW: "received",
        S.CLAIMED: "handling",
        S.IN_PROGRESS: "in_progress",
        S.RESOLVED: "resolved",
        S.CALLBACK_DONE: "completed",
    }
    return stages.get(status, "closed")


def next_step(
    ticket: Ticket, stage: str, *, now: datetime, since: datetime | None
) -> tuple[str | None, datetime | None]:
    """(a key of NEXT_STEPS or None, the deadline it names). A deadline set before `since` (the last reopening)
    belongs to an earlier round and is not promised again; one already passed is said to be late."""
    if stage == "resolved":
        return "confirm", None
    if stage in ("completed", "closed"):
        return None, None
    if stage in ("received", "handling", "reopened"):
        key, due = ("dispatch", ticket.dispatch_due) if ticket.dispatch_due else ("reply", ticket.resolve_due)
    else:
        key, due = "fix", ticket.resolve_due
    if due is not None and since is not None and due <= since:
        return "follow_up", None
    if due is None:
        if key == "fix":
            return ("finish_soon" if stage == "in_progress" else "contact"), None
        return "reply_soon", None
    return ("late" if due < now else key), due


def resident_lines(events: Sequence[TicketEvent]) -> list[Line]:
    """The events a resident may see, the same line repeated in a row shown once with its count."""
    lines: list[Line] = []
    for event in events:
        if event.kind not in LINES:
            continue
        text = event.text if event.kind in WITH_TEXT else None
        photos = len((event.data or {}).get("attachments", [])) if event.kind == "message_in" else 0
        line = Line(at=event.at, label=LINES[event.kind], text=text, photos=photos)
        last = lines[-1] if lines else None
        if last is not None and (last.label, last.text, last.photos) == (line.label, line.text, line.photos):
            lines[-1] = replace(last, at=line.at, count=last.count + 1)
        else:
            lines.append(line)
    return lines[-LAST_LINES:]


def urge_state(ticket: Ticket, *, now: datetime, rules: ServiceRules) -> tuple[bool, datetime | None]:
    """(may the resident urge now, when they may again if not yet): urging is for open requests, once per
    the rules' urge interval."""
    if "urge" not in allowed_actions(ticket):
        return False, None
    if ticket.last_urged_at is not None and now - ticket.last_urged_at < rules.urge_interval:
        return False, ticket.last_urged_at + rules.urge_interval
    return True, None


async def _technician(session: AsyncSession, ticket: Ticket, stage: str) -> str | None:
    """The technician's name once the request went to one (not while it is back with customer service)."""
    if ticket.technician_id is None or stage in ("received", "handling", "reopened"):
        return None
    staff = await session.get(Staff, ticket.technician_id)
    return staff.display_name if staff else None


async def _photos(session: AsyncSession, ticket_id: int) -> list[int]:
    rows = await session.execute(
        select(Attachment.id).where(Attachment.ticket_id == ticket_id).order_by(Attachment.id)
    )
    return list(rows.scalars())


async def _rating(session: AsyncSession, ticket_id: int) -> Rating | None:
    """The latest rating of the request (given in chat or to staff on the follow-up call)."""
    survey = (
        await session.execute(
            select(Survey).where(Survey.ticket_id == ticket_id).order_by(Survey.id.desc()).limit(1)
        )
    ).scalar_one_or_none()
    if survey is None:
        return None
    return Rating(survey.overall, survey.speed, survey.attitude, survey.comment)


async def may_rate(session: AsyncSession, ticket: Ticket) -> bool:
    """Whether the resident may rate the request now: resolved, and its follow-up still waits for a rating."""
    if ticket.status != S.RESOLVED:
        return False
    pending = await session.execute(
        select(CallbackTask.id).where(
            CallbackTask.ticket_id == ticket.id, CallbackTask.status == CallbackStatus.PENDING
        )
    )
    return pending.first() is not None


async def resident_view(
    session: AsyncSession, *, ticket: Ticket, now: datetime, rules: ServiceRules
) -> ResidentView:
    """What the ticket's resident is shown of it at `now`."""
    events = await timeline(session, ticket.id)
    reopened = [e.at for e in events if e.kind == "reopened"]
    stage = stage_of(ticket)
    key, due = next_step(ticket, stage, now=now, since=reopened[-1] if reopened else None)
    can_urge, urge_again_at = urge_state(ticket, now=now, rules=rules)
    actions = ["message"] if ticket.status != S.CLOSED else []
    actions += ["urge"] if can_urge else []
    actions += ["rate"] if await may_rate(session, ticket) else []
    return ResidentView(
        ticket=ticket,
        stage=stage,
        next_step=key,
        due=due,
        technician=await _technician(session, ticket, stage),
        photos=await _photos(session, ticket.id),
        rating=await _rating(session, ticket.id),
        lines=resident_lines(events),
        actions=actions,
        urge_again_at=urge_again_at,
    )


async def resident_tickets(session: AsyncSession, *, resident_id: int, limit: int = 8) -> list[Ticket]:
    """The resident's requests for their list: those still under way first, then finished ones, newest first."""
    rows = await session.execute(
        select(Ticket)
        .where(Ticket.resident_id == resident_id)
        .order_by(Ticket.created_at.desc(), Ticket.id.desc())
        .limit(limit * 3)
    )
    tickets = list(rows.scalars())
    under_way = (*OPEN_STATUSES, S.RESOLVED)
    return sorted(tickets, key=lambda t: t.status not in under_way)[:limit]
