"""Reports as files: the reconciliation of the 5th and the arrears of the 28th, and any table, as CSV and XLSX."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from estate.reporting.models import Report


@dataclass(frozen=True)
class Money:
    """An amount of money in a report's cell: a number of yuan with two decimals in every file format."""

    cents: int

    def __str__(self) -> str:
        sign = "-" if self.cents < 0 else ""
        return f"{sign}{abs(self.cents) // 100}.{abs(self.cents) % 100:02d}"


@dataclass(frozen=True)
class Word:
    """A word in a report's cell ('total', 'yes'): the console shows it in the reader's language."""

    code: str
    period: str = ""


def table(report: Report) -> tuple[list[str], list[list[Any]]]:
    """The report as column codes and rows (what both file formats hold); the console names the columns and
    the `Word` cells in the reader's language."""
    data = report.data
    if report.kind == "arrears":
        header = ["unit", "residents", "months", "outstanding", "oldest_days"]
        rows: list[list[Any]] = [
            [
                r["unit"],
                " ".join(r["names"]),
                " ".join(r["months"]),
                Money(r["total_cents"]),
                r["oldest_age_days"],
            ]
            for r in data.get("rows", [])
        ]
        rows.append([Word("total"), "", "", Money(data.get("total_cents", 0)), ""])
        return header, rows
    header = ["period", "due", "paid", "rate", "target", "met"]
    rows = [
        [
            r["period"],
            Money(r["due_cents"]),
            Money(r["paid_cents"]),
            "" if r["rate"] is None else f"{r['rate']:.1%}",
            f"{r['target']:.0%}",
            "" if r["met"] is None else Word("yes" if r["met"] else "no"),
        ]
        for r in data.get("rates", [])
    ]
    rows.insert(0, [Word("received_in", data.get("period", "")), data.get("received", ""), "", "", "", ""])
    return header, rows


YUAN_FORMAT = "#,##0.00"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """A cell for an exported sheet: text that a spreadsheet would run as a formula gets a leading
    apostrophe (residents write some of that text); numbers and amounts of money stay numbers. Every export
    goes through this."""
    if value is None or isinstance(value, (bool, int, float, Money)):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def to_csv(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel opens Chinese text correctly."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    for row in (header, *rows):
        writer.writerow([str(v) if isinstance(v, Money) else safe_cell(v) for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def to_xlsx(header: Sequence[str], rows: Sequence[Sequence[Any]], *, title: str = "report") -> bytes:
    """One sheet; text is written as text (never as a formula), without the control characters XLSX forbids;
    money as a number of yuan with two decimals."""
    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    for r, row in enumerate((header, *rows), start=1):
        for c, value in enumerate(row, start=1):
            value = safe_cell(value)
            if isinstance(value, str):
                cell = ws.cell(row=r, column=c)
                cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
                cell.data_type = "s"
            elif isinstance(value, Money):  # yuan as a number, shown with two decimals
                ws.cell(row=r, column=c, value=value.cents / 100).number_format = YUAN_FORMAT
            else:
                ws.cell(row=r, column=c, value=value)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
