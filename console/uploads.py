"""Spreadsheets uploaded to the console (CSV or XLSX): reading them into rows, the audit entry of every import
with the staff member who ran it, the file's name and what the import did, and the page showing the outcome."""

from __future__ import annotations

import tempfile
from pathlib import Path

from fastapi import UploadFile
from fastapi.responses import HTMLResponse

from console.labels import IMPORT_PROBLEMS, OTHER_PROBLEM
from console.web import Page
from estate.core.tables import ImportReport, read_table
from estate.staff.audit import audit
from locales import N_

KINDS = {"units": N_("Units"), "residents": N_("Residents"), "bills": N_("Bills"), "payments": N_("Payments")}


async def read_upload(page: Page, file: UploadFile) -> list[dict[str, str]] | None:
    """The rows of the uploaded file (up to the upload limit), or None when it cannot be read as a table."""
    suffix = Path(file.filename or "x.csv").suffix.lower()
    data = await file.read(page.ctx.settings.max_upload_bytes)
    with tempfile.NamedTemporaryFile(suffix=suffix if suffix in (".csv", ".xlsx") else ".csv") as tmp:
        tmp.write(data)
        tmp.flush()
        try:
            return read_table(tmp.name)
        except Exception:
            return None


async def audit_import(page: Page, *, kind: str, filename: str | None, report: ImportReport) -> None:
    """Record the import (`<kind>.import`) in the audit log under the signed-in staff member."""
    await audit(
        page.session,
        clock=page.ctx.clock,
        staff_id=page.staff.id,
        action=f"{kind}.import",
        target_type="import",
        target_id=kind,
        detail={
            "file": filename or "",
            "created": report.created,
            "updated": report.updated,
            "skipped": report.skipped,
            "problems": len(report.errors),
        },
    )


def render_report(
    page: Page, *, kind: str, report: ImportReport | None, back: str, status: int = 200
) -> HTMLResponse:
    """The import's outcome: counts and each row's problem in words (no report: the file was unreadable)."""
    return page.render(
        "fees/import.html",
        status=status,
        kind_label=KINDS.get(kind, kind),
        report=report,
        unreadable=report is None,
        back=back,
        problems=IMPORT_PROBLEMS,
        other_problem=OTHER_PROBLEM,
    )
