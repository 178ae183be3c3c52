"""Names shown in the console for kinds of tickets and timeline events (gettext msgids)."""

from __future__ import annotations

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
}
OTHER_EVENT = N_("Event")
