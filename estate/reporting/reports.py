"""Reports as files: the reconciliation of the 5th and the arrears of the 28th, and any table, as CSV and XLSX."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from estate.billing.money import fmt_yuan
from estate.reporting.models import Report


def table(report: Report) -> tuple[list[str], list[list[Any]]]:
    """The report as a header and rows (what both file formats hold)."""
    data = report.data
    if report.kind == "arrears":
        header = ["unit", "residents", "months", "outstanding", "oldest_days"]
        rows = [
            [
                r["unit"],
                " ".join(r["names"]),
                " ".join(r["months"]),
                fmt_yuan(r["total_cents"]),
                r["oldest_age_days"],
            ]
            for r in data.get("rows", [])
        ]
        rows.append(["TOTAL", "", "", fmt_yuan(data.get("total_cents", 0)), ""])
        return header, rows
    header = ["period", "due", "paid", "rate", "target", "met"]
    rows = [
        [
            r["period"],
            fmt_yuan(r["due_cents"]),
            fmt_yuan(r["paid_cents"]),
            "" if r["rate"] is None else f"{r['rate']:.1%}",
            f"{r['target']:.0%}",
            "" if r["met"] is None else ("yes" if r["met"] else "no"),
        ]
        for r in data.get("rates", [])
    ]
    rows.insert(0, [f"received in {data.get('period', '')}", data.get("received", ""), "", "", "", ""])
    return header, rows


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """A cell for an exported sheet: text that a spreadsheet would run as a formula gets a leading
    apostrophe (residents write some of that text); numbers stay numbers. Every export goes through this."""
    if value is None or isinstance(value, (bool, int, float)):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def to_csv(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel opens Chinese text correctly."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    for row in (header, *rows):
        writer.writerow([safe_cell(v) for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def to_xlsx(header: Sequence[str], rows: Sequence[Sequence[Any]], *, title: str = "report") -> bytes:
    """One sheet; text is written as text (never as a formula), without the control characters XLSX forbids."""
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
            else:
                ws.cell(row=r, column=c, value=value)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
