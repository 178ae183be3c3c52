"""Names shown in the console for kinds of tickets and timeline events (gettext msgids)."""

from __future__ import annotations

from estate.billing.payments import METHOD_LABELS
from locales import N_

KIND_LABELS = {
    "repair": N_("Repair"),
    "complaint": N_("Complaint"),
    "inquiry": N_("Inquiry"),
    "suggestion": N_("Suggestion"),
}
EVENT_LABELS = {
    "created": N_("Received"),
    "claimed": N_("Claimed"),
    "dispatched": N_("Dispatched"),
    "started": N_("Work started"),
    "message_in": N_("Resident wrote"),
    "message_out": N_("Reply sent"),
    "note": N_("Internal note"),
    "resolved": N_("Resolved"),
    "reopened": N_("Reopened"),
    "closed": N_("Closed"),
    "urged": N_("Resident urged"),
    "escalated": N_("Escalated"),
    "survey": N_("Survey answer"),
    "reclassified": N_("Kind or category corrected"),
    "callback_attempt": N_("Callback: the resident could not be reached"),
    "callback_refused": N_("Callback: the resident refused the callback"),
    "marked_major": N_("Marked as a major complaint"),
}
OTHER_EVENT = N_("Event")

# How a callback call went (estate.tickets.callbacks.Outcome).
OUTCOME_LABELS = {
    "reached": N_("Reached"),
    "unreachable": N_("Not reachable"),
    "refused": N_("Refused the callback"),
}
# Why a ticket was escalated (estate.tickets.models.Escalation.reason).
ESCALATION_REASONS = {
    "dispatch_breach": N_("not dispatched in time"),
    "resolve_breach": N_("not resolved in time"),
    "major": N_("major complaint"),
    "low_rating": N_("low rating"),
    "callback_unreachable": N_("the resident could not be reached for the callback"),
}
# The staff roles (estate.staff.models.Role).
ROLE_LABELS = {
    "agent": N_("Customer service agent"),
    "supervisor": N_("Customer service supervisor"),
    "manager": N_("Service centre manager"),
    "deputy": N_("Deputy general manager"),
    "technician": N_("Technician"),
    "cashier": N_("Cashier"),
    "admin": N_("Administrator"),
}
# The sentence for each refusal (a DomainError's code) of callbacks, roles, notices and passwords; filled with
# the error's params.
REFUSALS = {
    "ratings_required": N_(
        "Please choose the resident's three ratings (1 to 5) before saving a reached call."
    ),
    "outcome_required": N_("Please choose how the call went: reached, not reachable or refused."),
    "bad_rating": N_("A rating is from 1 to 5."),
    "callback_done_already": N_("This callback has already been recorded."),
    "not_your_claim": N_(
        "{name} claimed this ticket: only they or a supervisor can dispatch it. Please ask them or your supervisor."
    ),
    "major_complaints_only": N_("Only a complaint can be marked as major."),
    "major_already": N_("This complaint is already marked as major."),
    "urgent_notices_leads_only": N_(
        "Only a supervisor or above can send an urgent notice (it is delivered during quiet hours too)."
    ),
    "estate_notices_leads_only": N_(
        "Only a supervisor or above can send a notice to the whole estate. Please choose one building, or ask "
        "your supervisor."
    ),
    "password_too_short": N_("The new password must have at least {min} characters."),
    "password_common": N_(
        "This password is too common or too easy to guess (like 12345678 or qwerty123). Please choose another."
    ),
    "password_is_login": N_("The password must not contain the user name. Please choose another."),
    # live chats of the inbox (issue #13)
    "live_chat_not_found": N_("There is no such conversation."),
    "live_chat_closed": N_("This conversation has already ended."),
    "live_chat_not_claimed": N_("Please claim this conversation before answering or closing it."),
    "live_chat_not_yours": N_(
        "Another colleague is answering this conversation; only they or a supervisor can answer or close it."
    ),
    "live_chat_has_ticket": N_("A ticket has already been made of this conversation."),
    "empty_message": N_("Please write a reply first."),
    "too_long": N_("This reply is too long: at most {limit} characters."),
}

# --- fees, imports and exports (issue #14) ---
# Each problem an import finds in a row (estate.core.tables.RowError.code), as the staff member reads it.
IMPORT_PROBLEMS = {
    "unknown_unit": N_("There is no such unit number"),
    "bad_period": N_(
        "Not a billing month: write the year and month, e.g. 2026-11 (a date cell counts as its month)"
    ),
    "bad_amount": N_("Not an amount in yuan above zero (at most two decimals, e.g. 163.73)"),
    "missing_reference": N_(
        "No receipt number: each payment needs one, so that importing the file again adds nothing"
    ),
    "bad_date": N_("Not a payment date (e.g. 2026-11-02), or a date in the future"),
    "bad_method": N_("Unknown payment method (cash, WeChat Pay, Alipay, card or bank transfer)"),
    "bad_area": N_("Not an area in square metres (e.g. 88.5)"),
    "missing_unit": N_("The unit number is missing"),
    "duplicate_unit": N_("This unit appears twice in the file"),
    "missing_building": N_("The building is missing"),
    "bad_occupancy": N_("Unknown occupancy (occupied, vacant or decorating)"),
    "bad_floor": N_("Not a floor number"),
    "missing_name": N_("The resident's name is missing"),
    "bad_phone": N_("Not a phone number"),
    "bad_role": N_("Unknown role (owner or tenant)"),
}
OTHER_PROBLEM = N_("This row could not be imported")
# Why a bill could not be voided (estate.billing.void), filled with the error's params.
FEE_REFUSALS = {
    "void_needs_reason": N_("Please say why the bill is voided; the reason is kept in the audit log."),
    "bill_has_payments": N_(
        "{paid} has been paid on the bill of {period}, so it cannot be voided: a bill with payments stays as it is."
    ),
    "bill_not_found": N_("There is no such bill; it may have been voided already."),
}
# The columns of reports and exports (estate.reporting.reports.table, estate.reporting.exports.TICKET_COLUMNS).
REPORT_COLUMNS = {
    "unit": N_("Unit"),
    "residents": N_("Resident names"),
    "months": N_("Months"),
    "outstanding": N_("Outstanding"),
    "oldest_days": N_("Days overdue (oldest)"),
    "period": N_("Month"),
    "due": N_("Charged"),
    "paid": N_("Collected"),
    "rate": N_("Rate"),
    "target": N_("Target"),
    "met": N_("Target met"),
    "ref": N_("Reference"),
    "kind": N_("Kind"),
    "category": N_("Category"),
    "status": N_("Status"),
    "urgency": N_("Urgency"),
    "location": N_("Location"),
    "description": N_("Description"),
    "created_at": N_("Received at"),
    "dispatched_at": N_("Dispatched at"),
    "resolved_at": N_("Resolved at"),
    "result": N_("Result"),
    "escalation_level": N_("Escalation level"),
}
# Words inside report rows (estate.reporting.reports.Word).
REPORT_WORDS = {
    "total": N_("Total"),
    "yes": N_("Yes"),
    "no": N_("No"),
    "received_in": N_("Payments received in {period}"),
}
URGENCY_LABELS = {"normal": N_("Normal"), "urgent": N_("Urgent")}
# A unit's occupancy, a resident's role, a chat's channel and a payment's method, on the unit and residents pages.
OCCUPANCY_LABELS = {"occupied": N_("Occupied"), "vacant": N_("Vacant"), "decorating": N_("Decorating")}
RESIDENT_ROLES = {"owner": N_("Owner"), "tenant": N_("Tenant")}
CHANNEL_LABELS = {"webchat": N_("Web chat"), "wechat": N_("WeChat"), "telegram": N_("Telegram")}
PAYMENT_METHODS = METHOD_LABELS  # named where the methods are (estate.billing.payments), for the dialogs too
# How a ticket came in when not by a chat (the front desk's register; None is a chat).
SOURCE_LABELS = {
    "phone": N_("Phone call"),
    "walk_in": N_("Walk-in visit"),
    "patrol": N_("Found on patrol"),
    "live_chat": N_("Live chat"),
}
