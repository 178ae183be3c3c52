"""The manager's figures: the dashboard, the generated reports and the ticket export."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Depends, Form
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from console.app import page_for
from console.fees import estate_of
from console.web import Page
from estate import jobs
from estate.reporting import reports
from estate.reporting.dashboard import dashboard
from estate.reporting.models import Report
from estate.residents.models import Unit
from estate.staff.models import Role
from estate.tickets.models import Ticket

router = APIRouter()


@router.get("/dashboard", response_class=HTMLResponse)
async def dash(page: Page = Depends(page_for("dashboard"), scope="function")) -> HTMLResponse:
    estate = await estate_of(page)
    figures = await dashboard(
        page.session,
        estate_id=estate.id,
        now=page.ctx.clock.now(),
        tz=page.tz,
        rules=page.ctx.rules_for(estate),
    )
    return page.render("dashboard.html", d=figures)


@router.get("/reports", response_class=HTMLResponse)
async def report_list(page: Page = Depends(page_for("reports"), scope="function")) -> HTMLResponse:
    rows = (await page.session.execute(select(Report).order_by(Report.id.desc()).limit(60))).scalars().all()
    return page.render("reports.html", rows=rows)


@router.post("/reports/make")
async def report_make(
    kind: str = Form(...), page: Page = Depends(page_for("reports", write=True), scope="function")
) -> Response:
    if kind not in ("collection_report", "arrears_report"):
        return page.render("error.html", status=422, code="bad_kind")
    await page.session.commit()  # the job runs in its own unit of work
    await jobs.run_job(page.ctx, kind, page.ctx.clock.now())
    return page.redirect("/reports")


@router.get("/reports/{report_id}", response_class=HTMLResponse)
async def report_view(
    report_id: int, format: str = "", page: Page = Depends(page_for("reports"), scope="function")
) -> Response:
    report = await page.session.get(Report, report_id)
    if report is None:
        return page.render("error.html", status=404, code="report_not_found")
    header, rows = reports.table(report)
    name = f"{report.kind}-{report.period}"
    if format == "csv":
        return Response(
            reports.to_csv(header, rows),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f"attachment; filename={quote(name)}.csv"},
        )
    if format == "xlsx":
        return Response(
            reports.to_xlsx(header, rows, title=name),
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": f"attachment; filename={quote(name)}.xlsx"},
        )
    return page.render("report.html", report=report, header=header, rows=rows)


@router.get("/export/tickets.csv")
async def ticket_export(page: Page = Depends(page_for("tickets"), scope="function")) -> Response:
    # The export shows what the ticket pages show, to whom they show it (technicians: their own work).
    stmt = select(Ticket, Unit.code).outerjoin(Unit, Unit.id == Ticket.unit_id).order_by(Ticket.id)
    if page.staff.role == Role.TECHNICIAN:
        stmt = stmt.where(Ticket.technician_id == page.staff.id)
    rows = (await page.session.execute(stmt)).all()
    header = [
        "ref",
        "kind",
        "category",
        "status",
        "urgency",
        "unit",
        "location",
        "description",
        "created_at",
        "dispatched_at",
        "resolved_at",
        "result",
        "escalation_level",
    ]
    body = [
        [
            t.ref,
            t.kind,
            t.category,
            t.status,
            t.urgency,
            code or "",
            t.location_text or "",
            t.description,
            page.local(t.created_at, "%Y-%m-%d %H:%M"),
            page.local(t.dispatched_at, "%Y-%m-%d %H:%M"),
            page.local(t.resolved_at, "%Y-%m-%d %H:%M"),
            t.result or "",
            t.escalation_level,
        ]
        for t, code in rows
    ]
    return Response(
        reports.to_csv(header, body),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": "attachment; filename=tickets.csv"},
    )
