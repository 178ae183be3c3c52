"""Staff administration: the staff list, adding staff, switching accounts off and on, setting passwords."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form
from fastapi.responses import HTMLResponse, Response

from console.app import page_for
from console.web import Page
from estate.core.errors import DomainError
from estate.staff.models import Department, Role
from estate.staff.passwords import MIN_PASSWORD, check_new_password, set_password
from estate.staff.service import all_staff, create_staff, set_active


async def staff_page(page: Page, *, status: int = 200, error: str | None = None) -> HTMLResponse:
    """The staff list with the add form (and the reason a change was refused, if any)."""
    return page.render(
        "staff.html",
        status=status,
        members=await all_staff(page.session),
        roles=list(Role),
        departments=list(Department),
        error=error,
        min_length=MIN_PASSWORD,
    )


router = APIRouter()


@router.get("/staff", response_class=HTMLResponse)
async def staff_list(page: Page = Depends(page_for("staff"), scope="function")) -> HTMLResponse:
    return await staff_page(page)


@router.post("/staff", response_class=HTMLResponse)
async def staff_add(
    username: str = Form(""),
    display_name: str = Form(""),
    role: str = Form(""),
    department: str = Form(""),
    password: str = Form(""),
    page: Page = Depends(page_for("staff", write=True), scope="function"),
) -> Response:
    try:
        check_new_password(password, username=username)
        await create_staff(
            page.session,
            clock=page.ctx.clock,
            username=username,
            display_name=display_name,
            role=role,
            department=department or None,
            password=password,
            by_staff_id=page.staff.id,
        )
    except DomainError as exc:
        return await staff_page(page, status=422, error=exc.code)
    return page.redirect("/staff")


@router.post("/staff/{staff_id}/active")
async def staff_active(
    staff_id: int,
    active: str = Form("0"),
    page: Page = Depends(page_for("staff", write=True), scope="function"),
) -> Response:
    await set_active(
        page.session,
        clock=page.ctx.clock,
        staff_id=staff_id,
        active=active == "1",
        by_staff_id=page.staff.id,
    )
    return page.redirect("/staff")


@router.post("/staff/{staff_id}/password", response_class=HTMLResponse)
async def staff_password(
    staff_id: int,
    password: str = Form(""),
    page: Page = Depends(page_for("staff", write=True), scope="function"),
) -> Response:
    try:
        await set_password(
            page.session,
            clock=page.ctx.clock,
            staff_id=staff_id,
            password=password,
            by_staff_id=page.staff.id,
        )
    except DomainError as exc:
        return await staff_page(page, status=422, error=exc.code)
    return page.redirect("/staff")
