"""Password rules (issue #14): at least 10 characters, not a common or easily guessed one, not containing the
user name; each refusal is a sentence in the staff member's language, on the password page and staff creation."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select

from desk.app import create_app
from estate.core.errors import ValidationFailed
from estate.staff.models import Staff
from estate.staff.passwords import check_new_password, verify_password
from tests.support.console import PASSWORD, console_world, sign_in


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("short-1", "password_too_short"),
        ("12345678", "password_too_short"),
        ("1234567890", "password_common"),
        ("qwertyuiop", "password_common"),
        ("password123", "password_common"),
        ("1qaz2wsx3edc", "password_common"),
        ("aaaaaaaaaaaa", "password_common"),
        ("woaini1314520", "password_common"),  # pinyin favourites are common here too
        ("zhangwei-2026", "password_is_login"),
        ("ZHANGWEI is me 7", "password_is_login"),
    ],
)
def test_weak_passwords_are_refused_with_a_reason(password, code):
    with pytest.raises(ValidationFailed) as refused:
        check_new_password(password, username="zhangwei")
    assert refused.value.code == code


@pytest.mark.parametrize("password", ["Tea-kettle-43-blue", "console-pass-1", "灯笼挂在东门口2026"])
def test_a_long_uncommon_password_is_accepted(password):
    check_new_password(password, username="zhangwei")


@pytest.fixture
async def world(ctx):
    return await console_world(ctx)


async def test_the_password_page_says_why_a_new_password_is_refused(ctx, world):
    app = create_app(ctx)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        csrf = await sign_in(c, "agent")
        refusals = {
            "en": ("12345678", "at least 10 characters"),
            "zh_CN": ("1234567890", "这个密码太常见或太容易被猜到"),
            "zh_TW": ("agent-2026-x", "密碼中不能包含使用者名稱"),
        }
        for locale, (new, sentence) in refusals.items():
            c.cookies.set("desk_console_lang", locale)
            r = await c.post("/console/password", data={"csrf": csrf, "old": PASSWORD, "new": new})
            assert r.status_code == 422 and sentence in r.text, locale
        async with ctx.sessions() as s:
            agent = await s.get(Staff, world.staff["agent"].id)
            assert verify_password(agent.password_hash, PASSWORD)  # unchanged


async def test_staff_creation_refuses_a_common_password(ctx, world):
    app = create_app(ctx)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        csrf = await sign_in(c, "admin")
        c.cookies.set("desk_console_lang", "en")
        member = {"csrf": csrf, "username": "xiaoli", "display_name": "Xiao Li", "role": "agent"}
        r = await c.post("/console/staff", data={**member, "password": "qwerty123456"})
        assert r.status_code == 422 and "too common or too easy to guess" in r.text
        r = await c.post("/console/staff", data={**member, "password": "xiaoli-desk-2026"})
        assert r.status_code == 422 and "must not contain the user name" in r.text
        async with ctx.sessions() as s:
            assert (await s.execute(select(Staff).where(Staff.username == "xiaoli"))).first() is None
        r = await c.post("/console/staff", data={**member, "password": "Lantern-east-gate-9"})
        assert r.status_code == 303
        listed = (await c.get("/console/staff")).text
        assert "Customer service agent" in listed and '<option value="cashier">Cashier</option>' in listed
