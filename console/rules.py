"""The "Service rules" page: the rules in force for each estate (DESIGN §3), read-only, in words rather than
setting names, the estate's own values (`Estate.rule_overrides`) marked."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse

from console.app import page_for
from console.web import Page
from estate.core.rules import ServiceRules, overrides_in_force
from estate.residents.service import all_estates
from locales import N_


@dataclass(frozen=True)
class RuleRow:
    label: str  # msgid
    value: str  # msgid with {placeholders}
    params: dict[str, Any] = field(default_factory=dict)
    overridden: bool = False  # the estate has its own value for (one of) the rule(s) shown


# Label, value, and which rule fills each placeholder; in the order of the service manual: deadlines,
# escalation, follow-up, residents.
ROWS: tuple[tuple[str, str, dict[str, str]], ...] = (
    (N_("Repair passed to the department"), N_("within {n} minutes"), {"n": "repair_dispatch_minutes"}),
    (
        N_("Urgent repair passed to the department"),
        N_("within {n} minutes"),
        {"n": "urgent_dispatch_minutes"},
    ),
    (N_("Complaint passed on and resolved"), N_("before the end of the local day"), {}),
    (
        N_("Complaint transferred to another department resolved"),
        N_("within {n} days"),
        {"n": "complaint_transfer_days"},
    ),
    (N_("Inquiry answered"), N_("within {n} hours"), {"n": "inquiry_resolve_hours"}),
    (N_("A deadline is shown as due soon"), N_("{n} minutes before it"), {"n": "near_breach_minutes"}),
    (N_("A missed dispatch deadline goes to"), N_("the customer-service supervisor"), {}),
    (N_("A missed resolve deadline goes to"), N_("the deputy general manager"), {}),
    (
        N_("An unresolved repair goes to the deputy general manager"),
        N_("{n} hours after its dispatch deadline"),
        {"n": "repair_resolve_grace_hours"},
    ),
    (N_("Callback due"), N_("{n} hours after the request is resolved"), {"n": "callback_hours"}),
    (
        N_("A survey answer reopens the request for the supervisor"),
        N_("at {n} or lower (of 5)"),
        {"n": "low_rating"},
    ),
    (N_("Satisfaction target"), N_("{n}% of answers at 4 or 5"), {"n": "satisfaction_target_percent"}),
    (N_("A resident may urge a request"), N_("once every {n} minutes"), {"n": "urge_interval_minutes"}),
    (
        N_("A booking can be cancelled"),
        N_("up to {n} hours before it starts"),
        {"n": "booking_cancel_cutoff_hours"},
    ),
    (
        N_("Quiet hours (reminders wait for the morning)"),
        N_("from {start}:00 to {end}:00 local time"),
        {"start": "quiet_start", "end": "quiet_end"},
    ),
    (
        N_("Office hours (a person answers live chats)"),
        N_("from {start}:00 to {end}:00 local time"),
        {"start": "office_open", "end": "office_close"},
    ),
    (
        N_("Wrong binding codes allowed per chat"),
        N_("{n} within {minutes} minutes"),
        {"n": "binding_max_attempts", "minutes": "binding_window_minutes"},
    ),
)
HOURS = {"quiet_start", "quiet_end", "office_open", "office_close"}  # shown as two-digit clock hours


def rule_rows(rules: ServiceRules, overridden: Collection[str] = ()) -> list[RuleRow]:
    """One row per rule of `ROWS`, filled from `rules`; marked when a rule shown is one of `overridden`."""
    return [
        RuleRow(
            label,
            value,
            {
                key: f"{getattr(rules, name):02d}" if name in HOURS else getattr(rules, name)
                for key, name in names.items()
            },
            overridden=any(name in overridden for name in names.values()),
        )
        for label, value, names in ROWS
    ]


router = APIRouter()


@router.get("/rules", response_class=HTMLResponse)
async def service_rules(page: Page = Depends(page_for("rules"), scope="function")) -> HTMLResponse:
    """The rules in force, per estate (each estate's rules and time zone)."""
    estates = await all_estates(page.session)
    sections = [
        (estate, rule_rows(page.ctx.rules_for(estate), overrides_in_force(estate))) for estate in estates
    ]
    return page.render(
        "rules.html",
        sections=sections or [(None, rule_rows(page.ctx.rules))],
        default_tz=page.ctx.settings.timezone,
    )
