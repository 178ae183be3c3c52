"""Paid services in the console: the catalogue, the day's bookings and what staff do with them."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi import APIRouter, Depends, Form
from fastapi.responses import HTMLResponse, Response

from console.app import page_for
from console.web import Page, estate_of
from estate.bookings.booking import cancel_booking
from estate.bookings.catalogue import list_services, update_service
from estate.bookings.handling import assign_booking, complete_booking, confirm_booking
from estate.bookings.queries import bookings_for_day
from estate.core.errors import DomainError, NotFound
from estate.staff.service import technicians

router = APIRouter()


@router.get("/services", response_class=HTMLResponse)
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
        "services.html",
        items=await list_services(page.session, estate_id=estate.id, active_only=False),
        rows=await bookings_for_day(page.session, estate_id=estate.id, day=shown, tz=page.tz),
        day=shown,
        prev=shown - timedelta(days=1),
        next=shown + timedelta(days=1),
        technicians=await technicians(page.session),
    )


@router.post("/services/{item_id}")
async def edit_service(
    item_id: int,
    price: str = Form(...),
    duration: int = Form(...),
    capacity: int = Form(0),
    active: str = Form(""),
    page: Page = Depends(page_for("services", write=True), scope="function"),
) -> Response:
    try:
        await update_service(
            page.session,
            item_id=item_id,
            price_yuan=price,
            duration_minutes=duration,
            active=active == "1",
            capacity=capacity,
            today=page.ctx.clock.now().astimezone(page.tz).date(),
            tz=page.tz,
        )
    except NotFound as exc:
        return page.render("error.html", status=404, code=exc.code)
    return page.redirect("/services")


@router.post("/bookings/{booking_id}/{action}")
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
            await confirm_booking(page.session, staff_id=page.staff.id, clock=clock, booking_id=booking_id)
        elif action == "assign" and technician.isdigit():
            await assign_booking(
                page.session,
                staff_id=page.staff.id,
                technician_id=int(technician),
                clock=clock,
                booking_id=booking_id,
            )
        elif action == "done":
            await complete_booking(page.session, staff_id=page.staff.id, clock=clock, booking_id=booking_id)
        elif action == "cancel":
            await cancel_booking(
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
