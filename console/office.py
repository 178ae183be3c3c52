"""Paid services, notices, the dashboard and reports."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from urllib.parse import quote

from fastapi import Depends, FastAPI, Form
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from console.app import page_for
from console.fees import estate_of
from console.web import Page
from estate import bookings, jobs, notices, reports
from estate.dashboard import dashboard
from estate.errors import DomainError
from estate.models import Building, Notice, Report, Role, ServiceItem, Ticket, Unit
from estate.money import yuan_to_cents
from estate.staff import technicians


def register(app: FastAPI, ctx) -> None:
    @app.get("/services", response_class=HTMLResponse)
    async def services(
        day: str = "", page: Page = Depends(page_for("services"), scope="function")
    ) -> HTMLResponse:
        estate = await estate_of(page)
        today = page.ctx.clock.now().astimezone(page.tz).date()
        try:
            shown = date.fromisoformat(day) if day else today
        except ValueError:
            shown = today
        return page.render(
            "office/services.html",
            items=await bookings.list_services(page.session, estate_id=estate.id, active_only=False),
            rows=await bookings.bookings_for_day(page.session, estate_id=estate.id, day=shown, tz=page.tz),
            day=shown,
            prev=shown - timedelta(days=1),
            next=shown + timedelta(days=1),
            technicians=await technicians(page.session),
        )

    @app.post("/services/{item_id}")
    async def edit_service(
        item_id: int,
        price: str = Form(...),
        duration: int = Form(...),
        capacity: int = Form(0),
        active: str = Form(""),
        page: Page = Depends(page_for("services", write=True), scope="function"),
    ) -> Response:
        item = await page.session.get(ServiceItem, item_id)
        if item is None:
            return page.render("error.html", status=404, code="service_not_found")
        item.price_cents, item.duration_minutes, item.active = (
            yuan_to_cents(price),
            max(15, duration),
            active == "1",
        )
        if capacity > 0:  # open the next two weeks at this capacity (existing slots keep theirs)
            today = page.ctx.clock.now().astimezone(page.tz).date()
            for d in range(14):
                await bookings.ensure_slots(
                    page.session,
                    service_item_id=item.id,
                    day=today + timedelta(days=d),
                    times=[time(9), time(11), time(14), time(16)],
                    capacity=capacity,
                    tz=page.tz,
                )
        return page.redirect("/services")

    @app.post("/bookings/{booking_id}/{action}")
    async def booking_action(
        booking_id: int,
        action: str,
        technician: str = Form(""),
        reason: str = Form(""),
        page: Page = Depends(page_for("services", write=True), scope="function"),
    ) -> Response:
        clock = page.ctx.clock
        try:
            if action == "confirm":
                await bookings.confirm_booking(
                    page.session, staff_id=page.staff.id, clock=clock, booking_id=booking_id
                )
            elif action == "assign" and technician.isdigit():
                await bookings.assign_booking(
                    page.session,
                    staff_id=page.staff.id,
                    technician_id=int(technician),
                    clock=clock,
                    booking_id=booking_id,
                )
            elif action == "done":
                await bookings.complete_booking(
                    page.session, staff_id=page.staff.id, clock=clock, booking_id=booking_id
                )
            elif action == "cancel":
                await bookings.cancel_booking(
                    page.session,
                    reason=reason,
                    by_resident=False,
                    staff_id=page.staff.id,
                    clock=clock,
                    booking_id=booking_id,
                )
            else:
                return page.render("error.html", status=422, code="bad_action")
        except DomainError as exc:
            return page.render("error.html", status=422, code=exc.code)
        return page.redirect("/services")

    @app.get("/notices", response_class=HTMLResponse)
    async def notice_list(page: Page = Depends(page_for("notices"), scope="function")) -> HTMLResponse:
        estate = await estate_of(page)
        rows = (
            (
                await page.session.execute(
                    select(Notice).where(Notice.estate_id == estate.id).order_by(Notice.id.desc()).limit(50)
                )
            )
            .scalars()
            .all()
        )
        counts = {n.id: await notices.delivery_counts(page.session, notice_id=n.id) for n in rows}
        buildings = (
            (
                await page.session.execute(
                    select(Building).where(Building.estate_id == estate.id).order_by(Building.id)
                )
            )
            .scalars()
            .all()
        )
        return page.render("office/notices.html", rows=rows, counts=counts, buildings=buildings)

    @app.get("/notices/{notice_id}/progress", response_class=HTMLResponse)
    async def notice_progress(
        notice_id: int, page: Page = Depends(page_for("notices"), scope="function")
    ) -> HTMLResponse:
        counts = await notices.delivery_counts(page.session, notice_id=notice_id)
        return page.render("office/_progress.html", counts=counts, notice_id=notice_id)

    @app.post("/notices", response_class=HTMLResponse)
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
                    quiet=(settings.tz, settings.quiet_start, settings.quiet_end),
                    staff_id=page.staff.id,
                )
        except DomainError as exc:
            return page.render("error.html", status=422, code=exc.code)
        return page.redirect("/notices")

    @app.get("/dashboard", response_class=HTMLResponse)
    async def dash(page: Page = Depends(page_for("dashboard"), scope="function")) -> HTMLResponse:
        estate = await estate_of(page)
        figures = await dashboard(page.session, estate_id=estate.id, now=page.ctx.clock.now(), tz=page.tz)
        return page.render("office/dashboard.html", d=figures)

    @app.get("/reports", response_class=HTMLResponse)
    async def report_list(page: Page = Depends(page_for("reports"), scope="function")) -> HTMLResponse:
        rows = (
            (await page.session.execute(select(Report).order_by(Report.id.desc()).limit(60))).scalars().all()
        )
        return page.render("office/reports.html", rows=rows)

    @app.post("/reports/make")
    async def report_make(
        kind: str = Form(...), page: Page = Depends(page_for("reports", write=True), scope="function")
    ) -> Response:
        if kind not in ("collection_report", "arrears_report"):
            return page.render("error.html", status=422, code="bad_kind")
        await page.session.commit()  # the job runs in its own unit of work
        await jobs.run_job(page.ctx, kind, page.ctx.clock.now())
        return page.redirect("/reports")

    @app.get("/reports/{report_id}", response_class=HTMLResponse)
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
        return page.render("office/report.html", report=report, header=header, rows=rows)

    @app.get("/export/tickets.csv")
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
