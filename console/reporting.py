"""The manager's figures: the dashboard, the generated reports and the ticket export, named in the staff
member's language (console/report_labels.py)."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Depends, Form
from fastapi.responses import HTMLResponse, Response

from console.app import page_for
from console.report_labels import labelled, labelled_tickets
from console.web import Page, estate_of
from estate import jobs
from estate.billing.money import fmt_yuan
from estate.reporting import reports
from estate.reporting.dashboard import dashboard
from estate.reporting.exports import ticket_table
from estate.reporting.stored import find_report, latest_reports
from estate.staff.models import Role

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
    return page.render("reports.html", rows=await latest_reports(page.session))


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
    report = await find_report(page.session, report_id)
    if report is None:
        return page.render("error.html", status=404, code="report_not_found")
    header, rows = labelled(page.t, *reports.table(report))
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
    shown = [[fmt_yuan(c.cents) if isinstance(c, reports.Money) else c for c in row] for row in rows]
    return page.render("report.html", report=report, header=header, rows=shown)


@router.get("/export/tickets.csv")
async def ticket_export(page: Page = Depends(page_for("tickets"), scope="function")) -> Response:
    # The export shows what the ticket pages show, to whom they show it (technicians: their own work).
    own = page.staff.id if page.staff.role == Role.TECHNICIAN else None
    header, body = await ticket_table(page.session, tz=page.tz, technician_id=own)
    return Response(
        reports.to_csv(*labelled_tickets(page.t, header, body)),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": "attachment; filename=tickets.csv"},
    )
