"""Repair, confirmed: the request shown for checking (urgent or not), then filed."""

from __future__ import annotations

from dialogs.flows.confirm_request import file_request, show_request
from dialogs.flows.repair.visit import window_label
from dialogs.turn import Turn
from estate.tickets.categories import URGENT_CATEGORIES
from estate.tickets.models import TicketKind, Urgency


def _urgent(turn: Turn) -> bool:
    return bool(turn.data.get("urgent")) or turn.data.get("category") in URGENT_CATEGORIES


async def repair_confirm_prompt(turn: Turn) -> None:
    t = turn.t
    unit = await turn.unit()
    show_request(
        turn,
        t("Please check your repair request:"),
        TicketKind.REPAIR,
        [
            t("Where: {where}", where=turn.data.get("where") or (unit.code if unit else "-")),
            t("Problem: {description}", description=turn.data.get("description", "")),
        ],
        more=(
            t("Visit: {window}", window=window_label(turn)),
            t("Urgent: yes") if _urgent(turn) else t("Urgent: no"),
        ),
    )


async def file_repair(turn: Turn) -> None:
    ticket = await file_request(
        turn,
        TicketKind.REPAIR,
        turn.data["description"],
        unit_id=None if turn.data.get("where") else turn.me.unit_id,
        location_text=turn.data.get("where"),
        urgency=Urgency.URGENT if _urgent(turn) else None,
        preferred_window=window_label(turn),
    )
    turn.say(
        turn.t(
            "Your repair request has been registered. Reference: {ref}. It will be passed to our technicians by {deadline}.",
            ref=ticket.ref,
            deadline=turn.local(ticket.dispatch_due) if ticket.dispatch_due else "-",
        )
    )
