"""The `desk` command, run as a real subprocess against a fresh SQLite database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.support.live import free_port

DESK = str(Path(sys.executable).with_name("desk"))


@pytest.fixture(scope="module")
def demo_env(tmp_path_factory):
    """A database with the demo estate seeded once for the tests of this module."""
    folder = tmp_path_factory.mktemp("desk")
    env = {
        **os.environ,
        "DESK_DATABASE_URL": f"sqlite+aiosqlite:///{folder}/desk.sqlite3",
        "DESK_DEMO_PASSWORD": "demo-pass-1",
        "DESK_SECRET_KEY": "cli-test-secret-0123456789abcdef0123",
        "DESK_DATA_DIR": str(folder / "data"),
        "COLUMNS": "200",
    }
    result = subprocess.run(
        [DESK, "demo", "--seed-only"], env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    return env, result.stdout


def desk(env, *args, check=True):
    result = subprocess.run([DESK, *args], env=env, capture_output=True, text=True, timeout=120)
    if check:
        assert result.returncode == 0, result.stderr
    return result


def test_demo_prints_logins_and_a_binding_code(demo_env):
    _, output = demo_env
    for role in ("agent", "supervisor", "manager", "deputy", "technician", "cashier", "admin"):
        assert role in output
    assert "demo-pass-1" in output and "/console/login" in output and "Binding code" in output


def test_jobs_list_names_the_ten_jobs(demo_env):
    env, _ = demo_env
    text = desk(env, "jobs", "list").stdout
    for name in (
        "sla_scan",
        "callbacks_due",
        "monthly_bills",
        "payment_reminders",
        "collection_report",
        "arrears_report",
        "low_balance",
        "booking_reminders",
        "outbox_send",
        "outbox_reaper",
    ):
        assert name in text


def test_tickets_and_units_as_json(demo_env):
    env, _ = demo_env
    tickets = json.loads(desk(env, "tickets", "list", "--json").stdout)
    assert len(tickets) == 19
    assert {t["status"] for t in tickets} >= {
        "new",
        "claimed",
        "dispatched",
        "in_progress",
        "resolved",
        "callback_done",
        "closed",
    }
    assert all(t["ref"][:2] in ("BX", "TS", "ZX", "JY") for t in tickets)
    units = json.loads(desk(env, "units", "list", "--json").stdout)
    assert len(units) == 300
    assert units[0]["code"] == "1-101" and units[0]["residents"]


def test_binding_code_is_alone_on_the_last_line_and_binds(demo_env):
    env, _ = demo_env
    code = desk(env, "binding-code", "2-305").stdout.strip().splitlines()[-1]
    assert len(code) == 8 and code.isalnum()
    check = (
        "import asyncio\n"
        "from estate.core.context import Context\nfrom estate.core.settings import load_settings\n"
        "from estate.messaging.accounts import get_or_create_account\n"
        "from estate.residents.binding import bind_with_code\n"
        "async def main():\n"
        "    ctx = Context.from_settings(load_settings())\n"
        "    async with ctx.sessions() as s, s.begin():\n"
        "        acc = await get_or_create_account(s, clock=ctx.clock, channel='webchat', external_id='cli-test')\n"
        f"        r = await bind_with_code(s, clock=ctx.clock, account_id=acc.id, code='{code}', secret=ctx.settings.secret_key)\n"
        "        print(r.reason)\n"
        "    await ctx.close()\n"
        "asyncio.run(main())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", check], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.stdout.strip() == "ok", result.stderr


def test_demo_twice_duplicates_nothing(demo_env):
    env, _ = demo_env
    before = json.loads(desk(env, "tickets", "list", "--json").stdout)
    second = desk(env, "demo", "--seed-only").stdout
    after = json.loads(desk(env, "tickets", "list", "--json").stdout)
    assert "nothing duplicated" in second
    assert len(after) == len(before)
    assert len(json.loads(desk(env, "units", "list", "--json").stdout)) == 300


def test_jobs_run_at_a_chosen_instant(demo_env):
    env, _ = demo_env
    out = desk(env, "jobs", "run", "arrears_report", "--now", "2026-11-28T08:00:00").stdout
    assert "1 arrears report(s) made" in out
    again = desk(env, "jobs", "run", "arrears_report", "--now", "2026-11-28T08:05:00").stdout
    assert "0 arrears report(s) made" in again
    bad = desk(env, "jobs", "run", "nope", check=False)
    assert bad.returncode == 2 and "Unknown job" in bad.stderr


def test_outbox_list_json(demo_env):
    env, _ = demo_env
    rows = json.loads(desk(env, "outbox", "list", "--json").stdout)
    assert rows and {"id", "dedupe_key", "channel", "status"} <= set(rows[0])


def test_a_bad_setting_stops_with_one_line_naming_it(tmp_path):
    env = {
        **os.environ,
        "DESK_TIMEZONE": "Mars/Olympus",
        "DESK_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/x.sqlite3",
    }
    result = desk(env, "jobs", "run", "sla_scan", check=False)
    assert result.returncode == 2
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "DESK_TIMEZONE" in lines[0]
    bad_db = desk({**os.environ, "DESK_DATABASE_URL": "mysql://x"}, "init", check=False)
    assert bad_db.returncode == 2 and "DESK_DATABASE_URL" in bad_db.stderr


def test_import_reports_bad_rows(demo_env, tmp_path):
    env, _ = demo_env
    path = tmp_path / "residents.csv"
    path.write_text("unit,name,phone\n1-101,新住户,13512345678\n9-999,无此房,13512345679\n", encoding="utf-8")
    result = desk(env, "import", "residents", str(path), check=False)
    assert result.returncode == 1
    assert "created 1" in result.stdout and "unknown_unit" in result.stdout


def test_backup_copies_the_database(demo_env, tmp_path):
    env, _ = demo_env
    target = tmp_path / "backup.sqlite3"
    desk(env, "backup", str(target))
    import sqlite3

    with sqlite3.connect(target) as db:
        assert db.execute("select count(*) from units").fetchone()[0] == 300


def test_serve_answers_healthz(demo_env):
    env, _ = demo_env
    port = free_port()
    proc = subprocess.Popen(
        [DESK, "serve", "--port", str(port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.3)
        assert (r.status_code, r.text) == (200, "ok")
    finally:
        proc.terminate()
        proc.wait(timeout=20)
