"""Callbacks (回访): the calls to make to residents after a ticket, and recording how one went (reached with
the resident's ratings, not reachable, or refused)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form
from fastapi.responses import HTMLResponse, Response

from console.app import page_for
from console.labels import OUTCOME_LABELS, REFUSALS
from console.web import Page
from estate.core.errors import ValidationFailed
from estate.tickets.callback_outcomes import record_no_answer
from estate.tickets.callback_rows import callback_rows, unreached_rows
from estate.tickets.callbacks import MAX_ATTEMPTS, Outcome, record_callback

router = APIRouter()


async def show(page: Page, *, status: int = 200, refused: int | None = None, code: str = "") -> HTMLResponse:
    """The page: waiting callbacks, then those given up as unreachable (and a refused save's sentence)."""
    return page.render(
        "callbacks.html",
        status=status,
        rows=await callback_rows(page.session, now=page.ctx.clock.now()),
        unreached=await unreached_rows(page.session),
        outcomes=[(o.value, OUTCOME_LABELS[o]) for o in Outcome],
        max_attempts=MAX_ATTEMPTS,
        refused=refused,
        refusal=REFUSALS.get(code, ""),
    )


@router.get("/callbacks", response_class=HTMLResponse)
async def callbacks(page: Page = Depends(page_for("callbacks"), scope="function")) -> HTMLResponse:
    return await show(page)


def rating(value: str) -> int | None:
    """A rating chosen in the form, or None when none was chosen."""
    return int(value) if value.strip().isdigit() else None


@router.post("/callbacks/{callback_id}", response_class=HTMLResponse)
async def record(
    callback_id: int,
    outcome: str = Form(""),
    result: str = Form(""),
    overall: str = Form(""),
    speed: str = Form(""),
    attitude: str = Form(""),
    page: Page = Depends(page_for("callbacks", write=True), scope="function"),
) -> Response:
    clock, staff_id = page.ctx.clock, page.staff.id
    try:
        if outcome == Outcome.REACHED:
            ratings = {"overall": rating(overall), "speed": rating(speed), "attitude": rating(attitude)}
            await record_callback(
                page.session,
                clock=clock,
                callback_id=callback_id,
                staff_id=staff_id,
                result_text=result,
                rules=page.ctx.rules,
                **ratings,
            )
        else:
            await record_no_answer(
                page.session,
                clock=clock,
                callback_id=callback_id,
                staff_id=staff_id,
                outcome=outcome,
                note=result,
            )
    except ValidationFailed as exc:
        return await show(page, status=422, refused=callback_id, code=exc.code)
    return page.redirect("/callbacks")
