"""Callbacks (回访): the list of calls to make to residents after a ticket, and recording how one went."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form
from fastapi.responses import HTMLResponse, Response

from console.app import page_for
from console.web import Page
from estate.tickets.callbacks import due_callbacks, record_callback

router = APIRouter()


@router.get("/callbacks", response_class=HTMLResponse)
async def callbacks(page: Page = Depends(page_for("callbacks"), scope="function")) -> HTMLResponse:
    rows = await due_callbacks(page.session, now=page.ctx.clock.now(), include_future=True)
    return page.render("callbacks.html", rows=rows)


@router.post("/callbacks/{callback_id}", response_class=HTMLResponse)
async def record(
    callback_id: int,
    result: str = Form(""),
    overall: int = Form(...),
    speed: int = Form(...),
    attitude: int = Form(...),
    page: Page = Depends(page_for("callbacks", write=True), scope="function"),
) -> Response:
    await record_callback(
        page.session,
        clock=page.ctx.clock,
        callback_id=callback_id,
        staff_id=page.staff.id,
        result_text=result,
        overall=overall,
        speed=speed,
        attitude=attitude,
        rules=page.ctx.rules,
    )
    return page.redirect("/callbacks")
