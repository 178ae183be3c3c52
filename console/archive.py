"""The residents' archive in the console: searching residents, the vacant units, and importing units and
residents from CSV or XLSX (each import audited with the staff member who ran it)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, File, Form, UploadFile
from fastapi.responses import HTMLResponse, Response

from console.app import page_for
from console.uploads import audit_import, read_upload, render_report
from console.web import Page, estate_of
from estate.residents import archive
from estate.residents.service import search_residents, vacant_units

IMPORTERS = {
    "units": archive.import_units,
    "residents": archive.import_residents,
}  # bills and payments are imported on the fees page (console/fee_imports.py), by cashiers too

router = APIRouter()


@router.get("/residents", response_class=HTMLResponse)
async def residents(q: str = "", page: Page = Depends(page_for("archive"), scope="function")) -> HTMLResponse:
    estate = await estate_of(page)
    found = await search_residents(page.session, estate_id=estate.id, query=q) if q.strip() else []
    return page.render(
        "fees/residents.html",
        q=q,
        found=found,
        vacant=await vacant_units(page.session, estate_id=estate.id),
    )


@router.post("/import", response_class=HTMLResponse)
async def import_file(
    kind: str = Form(...),
    file: UploadFile = File(...),
    page: Page = Depends(page_for("archive.import", write=True), scope="function"),
) -> Response:
    if kind not in IMPORTERS:
        return page.render("error.html", status=422, code="bad_kind")
    rows = await read_upload(page, file)
    if rows is None:
        return render_report(page, kind=kind, report=None, back="/residents", status=422)
    estate = await estate_of(page)
    report = await IMPORTERS[kind](page.session, clock=page.ctx.clock, estate_id=estate.id, rows=rows)
    await audit_import(page, kind=kind, filename=file.filename, report=report)
    return render_report(page, kind=kind, report=report, back="/residents")
