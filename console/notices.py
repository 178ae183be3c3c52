"""Notices in the console: the list with delivery progress, and publishing a new one."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Form
from fastapi.responses import HTMLResponse, Response

from console.app import page_for
from console.web import Page, estate_of
from estate.core.errors import DomainError
from estate.messaging import notices
from estate.residents.service import buildings_of

router = APIRouter()


@router.get("/notices", response_class=HTMLResponse)
async def notice_list(page: Page = Depends(page_for("notices"), scope="function")) -> HTMLResponse:
    estate = await estate_of(page)
    rows = await notices.recent_notices(page.session, estate_id=estate.id)
    counts = {n.id: await notices.delivery_counts(page.session, notice_id=n.id) for n in rows}
    buildings = await buildings_of(page.session, estate_id=estate.id)
    leads = page.staff.role in notices.LEADS  # they alone send urgent and estate-wide notices
    return page.render("notices.html", rows=rows, counts=counts, buildings=buildings, leads=leads)


@router.get("/notices/{notice_id}/progress", response_class=HTMLResponse)
async def notice_progress(
    notice_id: int, page: Page = Depends(page_for("notices"), scope="function")
) -> HTMLResponse:
    counts = await notices.delivery_counts(page.session, notice_id=notice_id)
    return page.render("_notice_progress.html", counts=counts, notice_id=notice_id)


@router.post("/notices", response_class=HTMLResponse)
async def notice_create(
    title: str = Form(""),
    body: str = Form(""),
    target: str = Form("estate"),
    building: str = Form(""),
    when: str = Form(""),
    urgent: str = Form(""),
    page: Page = Depends(page_for("notices", write=True), scope="function"),
) -> Response:
    estate = await estate_of(page)
    scheduled = None
    if when.strip():
        try:
            scheduled = datetime.fromisoformat(when).replace(tzinfo=page.tz)
        except ValueError:
            return page.render("error.html", status=422, code="bad_time")
    try:
        notice = await notices.create_notice(
            page.session,
            clock=page.ctx.clock,
            estate_id=estate.id,
            title=title,
            body=body,
            target=target,
            building_id=int(building) if building.isdigit() else None,
            urgent=urgent == "1",
            scheduled_at=scheduled,
            staff_id=page.staff.id,
        )
        if scheduled is None:
            settings = page.ctx.settings
            await notices.publish_notice(
                page.session,
                clock=page.ctx.clock,
                notice_id=notice.id,
                quiet=page.ctx.rules.quiet(settings.tz),
                staff_id=page.staff.id,
            )
    except notices.NoticeNotAllowed as exc:
        return page.render("error.html", status=403, code=exc.code)
    except DomainError as exc:
        return page.render("error.html", status=422, code=exc.code)
    return page.redirect("/notices")
