"""The residents' archive in the console: searching residents, the vacant units, and importing units,
residents, bills and payments from CSV or XLSX."""

from __future__ import annotations

import tempfile
from pathlib import Path

from fastapi import APIRouter, Depends, File, Form, UploadFile
from fastapi.responses import HTMLResponse, Response

from console.app import page_for
from console.web import Page, estate_of
from estate.billing import imports as billing_import
from estate.core.tables import read_table
from estate.residents import archive
from estate.residents.service import search_residents, vacant_units

IMPORTERS = {
    "units": archive.import_units,
    "residents": archive.import_residents,
    "bills": billing_import.import_bills,
    "payments": billing_import.import_payments,
}

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
    suffix = Path(file.filename or "x.csv").suffix.lower()
    data = await file.read(page.ctx.settings.max_upload_bytes)
    with tempfile.NamedTemporaryFile(suffix=suffix if suffix in (".csv", ".xlsx") else ".csv") as tmp:
        tmp.write(data)
        tmp.flush()
        try:
            rows = read_table(tmp.name)
        except Exception:
            return page.render("fees/import.html", status=422, kind=kind, unreadable=True)
    estate = await estate_of(page)
    report = await IMPORTERS[kind](page.session, clock=page.ctx.clock, estate_id=estate.id, rows=rows)
    return page.render("fees/import.html", kind=kind, report=report)
