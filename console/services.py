"""Paid services in the console: the catalogue, the day's bookings and what staff do with them."""

from __future__ import annotations

from datetime import date, time, timedelta

from fastapi import APIRouter, Depends, Form
from fastapi.responses import HTMLResponse, Response

from console.app import page_for
from console.fees import estate_of
from console.web import Page
from estate.billing.money import yuan_to_cents
from estate.bookings.booking import cancel_booking
from estate.bookings.catalogue import list_services
from estate.bookings.handling import assign_booking, complete_booking, confirm_booking
from estate.bookings.models import ServiceItem
from estate.bookings.queries import bookings_for_day
from estate.bookings.slots import ensure_slots
from estate.core.errors import DomainError
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
            await ensure_slots(
                page.session,
                service_item_id=item.id,
                day=today + timedelta(days=d),
                times=[time(9), time(11), time(14), time(16)],
                capacity=capacity,
                tz=page.tz,
            )
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
