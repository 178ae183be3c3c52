"""The audit log page: staff actions, newest first, a hundred at a time."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse

from console.app import page_for
from console.web import Page
from estate.staff.audit import audit_page

router = APIRouter()


@router.get("/audit", response_class=HTMLResponse)
async def audit_log(
    page: Page = Depends(page_for("audit"), scope="function"), before: int = 0
) -> HTMLResponse:
    rows, next_before = await audit_page(page.session, before=before)
    return page.render("audit.html", rows=rows, next_before=next_before)
