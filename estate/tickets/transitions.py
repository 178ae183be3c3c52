"""The ticket status machine as one table (`estate.tickets.timeline.transition()` applies its rows).

Each action names the statuses it may start from, the status it leads to (None: the status stays), the
timeline event it writes, the audit action recorded when staff act, and the message queued to the resident.
Some actions from some statuses are for the leads only (supervisor and above): reopening a closed ticket.
Pages ask `allowed_actions(ticket, role)` instead of repeating status lists.
"""

from __future__ import annotations

from dataclasses import dataclass

from estate.core.errors import DomainError, InvalidTransition
from estate.staff.models import Role
from estate.tickets.models import Ticket, TicketStatus

S = TicketStatus
OPEN_STATUSES = (S.NEW, S.CLAIMED, S.DISPATCHED, S.IN_PROGRESS)
REOPENABLE = (S.RESOLVED, S.CALLBACK_DONE, S.CLOSED)
LEADS = frozenset({Role.SUPERVISOR, Role.MANAGER, Role.DEPUTY, Role.ADMIN})


class LeadsOnly(DomainError):
    """The action from this status is for a supervisor or above."""

    code = "leads_only"


@dataclass(frozen=True)
class Transition:
    """One row of the status machine."""

    sources: tuple[str, ...]
    to: tuple[str, ...]  # the statuses it may lead to, the usual one first; () leaves the status alone
    event: str | None  # the timeline event's kind
    audit: str | None  # the audit action, recorded when a staff member acts
    notify: str | None  # the status message queued to the resident (a key of notify.STATUS_MESSAGES)
    stamp: str | None = None  # the ticket's column that takes the time of the action
    leads_only_from: tuple[str, ...] = ()  # statuses from which only LEADS may take the action


TRANSITIONS: dict[str, Transition] = {
    "claim": Transition((S.NEW,), (S.CLAIMED,), "claimed", "ticket.claim", S.CLAIMED, "claimed_at"),
    "dispatch": Transition(
        (S.NEW, S.CLAIMED, S.DISPATCHED),
        (S.DISPATCHED,),
        "dispatched",
        "ticket.dispatch",
        S.DISPATCHED,
        "dispatched_at",
    ),
    "start": Transition(
        (S.DISPATCHED,), (S.IN_PROGRESS,), "started", "ticket.start", S.IN_PROGRESS, "started_at"
    ),
    "resolve": Transition(
        OPEN_STATUSES, (S.RESOLVED,), "resolved", "ticket.resolve", S.RESOLVED, "resolved_at"
    ),
    # Back to the assignee when there is one, else (and always after a low rating) to the queue.
    "reopen": Transition(
        REOPENABLE, (S.CLAIMED, S.NEW), "reopened", "ticket.reopen", "reopened", leads_only_from=(S.CLOSED,)
    ),
    "close": Transition(
        (S.RESOLVED, S.CALLBACK_DONE), (S.CLOSED,), "closed", "ticket.close", S.CLOSED, "closed_at"
    ),
    # The survey event is written by the callback itself; this only moves the status.
    "callback_done": Transition((S.RESOLVED,), (S.CALLBACK_DONE,), None, None, None),
    "reclassify": Transition(OPEN_STATUSES, (), "reclassified", "ticket.reclassify", None),
    "urge": Transition(OPEN_STATUSES, (), "urged", None, None, "last_urged_at"),
}


def allowed_actions(ticket: Ticket, role: str | None = None) -> list[str]:
    """The actions the ticket's status allows, in the table's order; with a role, without those from this
    status that are for the leads only (which other roles may use at all is the caller's rule)."""
    return [
        name
        for name, t in TRANSITIONS.items()
        if ticket.status in t.sources and (role is None or not leads_may_only(t, ticket) or role in LEADS)
    ]


def leads_may_only(row: Transition, ticket: Ticket) -> bool:
    """Whether only a supervisor or above may take this row's action on the ticket as it stands."""
    return ticket.status in row.leads_only_from


def check_role(ticket: Ticket, action: str, role: str) -> None:
    """Raises LeadsOnly when the action from the ticket's status is for the leads and `role` is not one."""
    if leads_may_only(TRANSITIONS[action], ticket) and role not in LEADS:
        raise LeadsOnly("leads_only", action=action, ref=ticket.ref)


def check(ticket: Ticket, action: str) -> Transition:
    """The table's row for `action`; raises InvalidTransition when the ticket's status does not allow it."""
    row = TRANSITIONS[action]
    if ticket.status not in row.sources:
        raise InvalidTransition("bad_status", action=action, status=ticket.status, ref=ticket.ref)
    return row
