"""Cashiers import bills and payments from a spreadsheet (CSV or XLSX): problems are listed row by row in the
staff member's language, and every import is audited with the staff member who ran it."""

from __future__ import annotations

from fastapi import APIRouter, Depends, File, Form, UploadFile
from fastapi.responses import HTMLResponse, Response

from console.app import page_for
from console.uploads import audit_import, read_upload, render_report
from console.web import Page, estate_of
from estate.billing.imports import import_bills, import_payments

router = APIRouter()


@router.post("/fees/import", response_class=HTMLResponse)
async def import_fees(
    kind: str = Form(...),
    file: UploadFile = File(...),
    page: Page = Depends(page_for("fees.import", write=True), scope="function"),
) -> Response:
    if kind not in ("bills", "payments"):
        return page.render("error.html", status=422, code="bad_kind")
    rows = await read_upload(page, file)
    if rows is None:
        return render_report(page, kind=kind, report=None, back="/fees", status=422)
    estate = await estate_of(page)
    clock = page.ctx.clock
    if kind == "bills":
        report = await import_bills(page.session, clock=clock, estate_id=estate.id, rows=rows)
    else:
        report = await import_payments(
            page.session, clock=clock, estate_id=estate.id, rows=rows, staff_id=page.staff.id
        )
    await audit_import(page, kind=kind, filename=file.filename, report=report)
    return render_report(page, kind=kind, report=report, back="/fees")
