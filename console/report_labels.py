"""Reports and exports in the staff member's language: column names, words and codes (kinds, categories,
statuses, urgency) become labels; amounts of money stay numbers for the file formats."""

from __future__ import annotations

from typing import Any

from console.labels import KIND_LABELS, REPORT_COLUMNS, REPORT_WORDS, URGENCY_LABELS
from estate.reporting.exports import TICKET_COLUMNS
from estate.reporting.reports import Word
from estate.tickets.categories import category
from estate.tickets.notify import STATUS_LABELS
from locales import Translator

Table = tuple[list[str], list[list[Any]]]


def labelled(t: Translator, header: list[str], rows: list[list[Any]]) -> Table:
    """The columns named and the `Word` cells written in the reader's language; other cells as they are."""
    names = [t(REPORT_COLUMNS[h]) if h in REPORT_COLUMNS else h for h in header]
    body = [
        [t(REPORT_WORDS.get(c.code, c.code), period=c.period) if isinstance(c, Word) else c for c in row]
        for row in rows
    ]
    return names, body


def _label(t: Translator, labels: dict[str, str], code: str) -> str:
    return t(labels[code]) if code in labels else code


def labelled_tickets(t: Translator, header: list[str], rows: list[list[Any]]) -> Table:
    """The ticket export with its kind, category, status and urgency as labels rather than codes."""
    at = {name: i for i, name in enumerate(TICKET_COLUMNS)}
    out = []
    for row in rows:
        row = list(row)
        kind = row[at["kind"]]
        found = category(kind, row[at["category"]])
        row[at["category"]] = t(found.label) if found else row[at["category"]]
        row[at["kind"]] = _label(t, KIND_LABELS, kind)
        row[at["status"]] = _label(t, STATUS_LABELS, row[at["status"]])
        row[at["urgency"]] = _label(t, URGENCY_LABELS, row[at["urgency"]])
        out.append(row)
    return labelled(t, header, out)
