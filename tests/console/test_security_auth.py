"""Console sign-in and sessions hold against an attacker (issue 11: items 1, 4, 5, 14, 15, 16)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import func, select

from desk.app import create_app
from estate.core.clock import SystemClock
from estate.core.context import Context
from estate.core.db import make_sessionmaker
from estate.core.settings import Settings, SettingsError, load_settings
from estate.staff.models import Staff
from tests.support.console import CSRF, PASSWORD, console_world, live_world, post_login, sign_in
from tests.support.live import free_port, serve_in_thread

OLD_DEFAULT_KEY = "dev-insecure-change-me"


def client_for(app, client: tuple[str, int] = ("127.0.0.1", 123)) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=client), base_url="http://t")


@pytest.fixture
def no_key(monkeypatch, tmp_path):
    """No DESK_SECRET_KEY anywhere, and a fresh data folder."""
    monkeypatch.delenv("DESK_SECRET_KEY", raising=False)
    monkeypatch.delenv("DESK_CONFIG", raising=False)
    monkeypatch.setenv("DESK_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


# ---------------------------------------------------------------- item 1: no known secret key


async def test_a_cookie_forged_with_the_old_default_key_is_refused(no_key, engine, clock):
    settings = Settings(database_url="sqlite+aiosqlite:///unused.sqlite3", data_dir=no_key)
    ctx = Context(settings=settings, engine=engine, sessions=make_sessionmaker(engine), clock=clock)
    world = await console_world(ctx)
    admin = world.staff["admin"]
    forged = URLSafeTimedSerializer(OLD_DEFAULT_KEY, salt="desk-console-session").dumps(
        {"sid": admin.id, "csrf": "x", "v": 0}
    )
    async with client_for(create_app(ctx)) as c:
        c.cookies.set("desk_staff", forged, path="/console")
        page = await c.get("/console/staff")
        assert page.status_code == 303 and page.headers["location"] == "/console/login"
        made = await c.post(
            "/console/staff",
            data={
                "csrf": "x",
                "username": "mole",
                "display_name": "M",
                "role": "admin",
                "password": "12345678",
            },
        )
        assert made.status_code == 303 and made.headers["location"] == "/console/login"
    async with ctx.sessions() as s:
        assert (await s.execute(select(func.count()).where(Staff.username == "mole"))).scalar_one() == 0


def test_without_a_key_one_is_generated_kept_private_and_reused(no_key):
    first = load_settings()
    path = no_key / "secret_key"
    assert path.exists() and stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert len(first.secret_key) >= 32 and first.secret_key != OLD_DEFAULT_KEY
    assert path.read_text(encoding="utf-8").strip() == first.secret_key
    assert load_settings().secret_key == first.secret_key
    assert Settings(data_dir=no_key).secret_key == first.secret_key


def test_two_data_folders_get_different_keys(no_key, tmp_path):
    assert Settings(data_dir=tmp_path / "a").secret_key != Settings(data_dir=tmp_path / "b").secret_key


@pytest.mark.parametrize("key", ["short", "x" * 31, OLD_DEFAULT_KEY])
def test_a_short_configured_key_stops_start_up_naming_it(no_key, monkeypatch, key):
    monkeypatch.setenv("DESK_SECRET_KEY", key)
    with pytest.raises(SettingsError) as e:
        load_settings()
    assert str(e.value).startswith("DESK_SECRET_KEY:") and "32" in str(e.value) and "\n" not in str(e.value)
    assert not (no_key / "secret_key").exists()


def test_a_long_configured_key_is_used_as_is(no_key, monkeypatch):
    monkeypatch.setenv("DESK_SECRET_KEY", "k" * 32)
    assert load_settings().secret_key == "k" * 32
    assert not (no_key / "secret_key").exists()


def test_a_damaged_key_file_stops_start_up_naming_it(no_key):
    no_key.mkdir(parents=True)
    (no_key / "secret_key").write_text("tiny\n", encoding="utf-8")
    with pytest.raises(SettingsError) as e:
        load_settings()
    assert str(e.value).startswith("DESK_SECRET_KEY:") and "secret_key" in str(e.value)


def test_desk_serve_refuses_a_short_key_in_one_line(no_key, tmp_path):
    env = {
        **os.environ,
        "DESK_SECRET_KEY": "change-me",
        "DESK_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/d.sqlite3",
        "COLUMNS": "200",
    }
    desk = str(Path(sys.executable).with_name("desk"))
    result = subprocess.run([desk, "serve"], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "DESK_SECRET_KEY" in lines[0] and "32" in lines[0]


# ---------------------------------------------------------------- item 4: the login limiter cannot be sidestepped


async def test_spaces_and_capitals_count_against_the_name_sign_in_uses(ctx):
    await console_world(ctx)
    async with client_for(create_app(ctx)) as c:
        for name in ["deputy", "deputy  ", "DEPUTY", " Deputy", "deputy\t"]:
            assert (await post_login(c, name, "wrong")).status_code == 401
        locked = await post_login(c, "deputy  ", PASSWORD)
        assert locked.status_code == 429 and "15" in locked.text


def _live_settings(tmp_path, **values) -> Settings:
    """A file database with the console world in it, for a real server in another thread."""
    settings, _ = live_world(tmp_path, **values)
    return settings


def _login(c: httpx.Client, username: str, password: str, forwarded_for: str) -> httpx.Response:
    headers = {"X-Forwarded-For": forwarded_for}
    token = CSRF.search(c.get("/console/login", headers=headers).text)
    data = {"username": username, "password": password, **({"csrf": token.group(1)} if token else {})}
    return c.post("/console/login", data=data, headers=headers)


def _serve(settings: Settings):
    from desk.runtime import server_config

    app = create_app(Context.from_settings(settings, clock=SystemClock()))
    return serve_in_thread(app, config=server_config(app, host="127.0.0.1", port=free_port()))


def test_a_forged_forwarded_for_does_not_start_a_fresh_count(tmp_path):
    with _serve(_live_settings(tmp_path)) as base, httpx.Client(base_url=base) as c:
        for i in range(5):
            assert _login(c, "deputy", "wrong", f"203.0.113.{i}").status_code == 401
        assert _login(c, "deputy", PASSWORD, "203.0.113.99").status_code == 429


def test_forwarded_for_is_believed_from_a_listed_proxy(tmp_path):
    settings = _live_settings(tmp_path, trusted_proxies=["127.0.0.1"])
    with _serve(settings) as base, httpx.Client(base_url=base) as c:
        for _ in range(5):
            assert _login(c, "deputy", "wrong", "203.0.113.7").status_code == 401
        assert _login(c, "deputy", PASSWORD, "203.0.113.7").status_code == 429
        assert _login(c, "deputy", PASSWORD, "198.51.100.1").status_code == 303


def test_trusted_proxies_setting(no_key, monkeypatch):
    assert load_settings().trusted_proxies == []
    monkeypatch.setenv("DESK_TRUSTED_PROXIES", "10.0.0.1, 192.168.0.0/16")
    assert load_settings().trusted_proxies == ["10.0.0.1", "192.168.0.0/16"]
    monkeypatch.setenv("DESK_TRUSTED_PROXIES", "10.0.0.1,proxy.example")
    with pytest.raises(SettingsError) as e:
        load_settings()
    assert str(e.value).startswith("DESK_TRUSTED_PROXIES:") and "proxy.example" in str(e.value)


# ---------------------------------------------------------------- item 5: argon2 off the event loop


async def test_password_hashing_runs_off_the_event_loop(ctx, monkeypatch):
    import threading

    import estate.staff.passwords as staff_module

    await console_world(ctx)
    loop_thread, calls = threading.get_ident(), []
    for name in ("hash_password", "verify_password"):
        real = getattr(staff_module, name)

        def recording(*args, _real=real, _name=name):
            calls.append((_name, threading.get_ident()))
            return _real(*args)

        monkeypatch.setattr(staff_module, name, recording)
    async with client_for(create_app(ctx)) as c:
        assert (await post_login(c, "nobody", "wrong")).status_code == 401  # the dummy hash
        assert (await post_login(c, "agent", "wrong")).status_code == 401
        csrf = await sign_in(c, "agent")
        r = await c.post("/console/password", data={"csrf": csrf, "old": PASSWORD, "new": "a-new-pass-1"})
        assert r.status_code == 200
    assert {name for name, _ in calls} == {"hash_password", "verify_password"} and len(calls) >= 5
    assert all(thread != loop_thread for _, thread in calls), calls


# ---------------------------------------------------------------- item 14: sessions end on logout and password change


async def test_a_copied_cookie_is_refused_after_logout(ctx):
    await console_world(ctx)
    app = create_app(ctx)
    async with client_for(app) as c:
        csrf = await sign_in(c, "agent")
        stolen = c.cookies.get("desk_staff")
        assert (await c.post("/console/logout", data={"csrf": csrf})).status_code == 303
    async with client_for(app) as thief:
        thief.cookies.set("desk_staff", stolen, path="/console")
        r = await thief.get("/console/tickets")
        assert r.status_code == 303 and r.headers["location"] == "/console/login"


async def test_a_password_change_ends_the_other_sessions_but_keeps_this_one(ctx):
    world = await console_world(ctx)
    app = create_app(ctx)
    async with client_for(app) as laptop, client_for(app) as phone:
        csrf = await sign_in(laptop, "agent")
        await sign_in(phone, "agent")
        r = await laptop.post(
            "/console/password", data={"csrf": csrf, "old": PASSWORD, "new": "a-new-pass-1"}
        )
        assert r.status_code == 200
        assert (await phone.get("/console/tickets")).status_code == 303
        assert (await laptop.get("/console/tickets")).status_code == 200
        new_csrf = CSRF.search((await laptop.get("/console/password")).text).group(1)
        assert (await laptop.post("/console/logout", data={"csrf": new_csrf})).status_code == 303
    async with ctx.sessions() as s:
        assert (await s.get(Staff, world.staff["agent"].id)).session_version == 2


async def test_an_admin_password_reset_signs_the_member_out(ctx):
    world = await console_world(ctx)
    app = create_app(ctx)
    async with client_for(app) as admin, client_for(app) as agent:
        csrf = await sign_in(admin, "admin")
        await sign_in(agent, "agent")
        r = await admin.post(
            f"/console/staff/{world.staff['agent'].id}/password",
            data={"csrf": csrf, "password": "reset-pass-1"},
        )
        assert r.status_code == 303
        assert (await agent.get("/console/tickets")).status_code == 303
        assert (await admin.get("/console/staff")).status_code == 200


# ---------------------------------------------------------------- item 15: the sign-in form has a CSRF token


async def test_a_sign_in_posted_from_elsewhere_is_refused(ctx):
    await console_world(ctx)
    app = create_app(ctx)
    async with client_for(app) as attacker, client_for(app) as victim:
        # A cross-site form posts the attacker's credentials from the victim's browser: no token, ...
        r = await victim.post("/console/login", data={"username": "agent", "password": PASSWORD})
        assert r.status_code == 403 and "登录页面已过期" in r.text and "desk_staff" not in r.cookies
        # ... or the token of the attacker's own copy of the form, which does not match the victim's cookie.
        token = CSRF.search((await attacker.get("/console/login")).text).group(1)
        await victim.get("/console/login")
        data = {"username": "agent", "password": PASSWORD, "csrf": token}
        r = await victim.post("/console/login", data=data)
        assert r.status_code == 403 and "desk_staff" not in r.cookies
        assert (await victim.get("/console/tickets")).status_code == 303
        # The form the victim's browser was given works.
        assert (await post_login(victim, "agent")).status_code == 303
        assert (await victim.get("/console/tickets")).status_code == 200


async def test_refused_sign_in_forms_do_not_count_as_failed_passwords(ctx):
    await console_world(ctx)
    async with client_for(create_app(ctx)) as c:
        for _ in range(6):
            r = await c.post("/console/login", data={"username": "agent", "password": "wrong"})
            assert r.status_code == 403
        assert (await post_login(c, "agent")).status_code == 303


# ---------------------------------------------------------------- item 16: the language switch stays in the console


@pytest.mark.parametrize(
    ("referer", "location"),
    [
        ("https://evil.example/phish", "/console/"),
        ("https://evil.example/console/tickets", "/console/tickets"),
        ("http://t/console/tickets?q=1-101", "/console/tickets?q=1-101"),
        ("http://t/console", "/console"),
        ("http://t//evil.example/console/", "/console/"),
        ("//evil.example/console/", "/console/"),
        ("http://t/consolex", "/console/"),
        ("http://t/chat", "/console/"),
        ("http://t/console/../chat", "/console/"),
        ("http://t/console/%2e%2e/chat", "/console/"),
        ("http://t/console\\\\evil.example", "/console/"),
        ("javascript:alert(1)", "/console/"),
        (None, "/console/"),
    ],
)
async def test_the_language_switch_redirects_only_within_the_console(ctx, referer, location):
    headers = {"referer": referer} if referer else {}
    async with client_for(create_app(ctx)) as c:
        r = await c.get("/console/lang/en", headers=headers)
    assert r.status_code == 303 and r.headers["location"] == location
    assert r.cookies.get("desk_console_lang") == "en"
