"""Database engine and sessions: SQLite (WAL, foreign keys) by default, PostgreSQL at scale."""

from __future__ import annotations

import asyncio
import weakref
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.sqlite import aiosqlite as _aiosqlite_dialect
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine


def is_sqlite(url_or_engine: str | AsyncEngine) -> bool:
    name = url_or_engine if isinstance(url_or_engine, str) else url_or_engine.url.drivername
    return str(name).startswith("sqlite")


def make_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """Create an async engine; on SQLite make the file's folder and switch on WAL and foreign keys."""
    if is_sqlite(url):
        path = url.split(":///", 1)[1] if ":///" in url else ""
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        kwargs.setdefault("connect_args", {"timeout": 30})
        # Writers take turns on the process's writer lock (see unit_of_work), so a burst waits there,
        # not on the pool: a pooled connection is never given up on after 30 s and no update is lost.
        if path and path != ":memory:" and "poolclass" not in kwargs:
            kwargs.setdefault("pool_timeout", None)
        engine = create_async_engine(url, **kwargs)

        @event.listens_for(engine.sync_engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            # Python's sqlite3 opens transactions lazily and upgrades a reader to a writer mid-way, which
            # fails at once (SQLITE_BUSY_SNAPSHOT) when another writer got in between. Every transaction
            # therefore starts with BEGIN IMMEDIATE: writers queue on busy_timeout instead of failing.
            # Transactions are short (one per update or request), so the embedded default stays quick.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @event.listens_for(engine.sync_engine, "begin")
        def _begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    return create_async_engine(url, **kwargs)


def _run_statement(conn: Any, operation: Any, parameters: Any) -> tuple[Any, list[Any] | None, int, int]:
    """On the database thread: execute one statement and read all it returns (description, rows,
    lastrowid, rowcount), as SQLAlchemy's aiosqlite cursor does in four separate trips to that thread."""
    cursor = conn.cursor()
    try:
        cursor.execute(operation) if parameters is None else cursor.execute(operation, parameters)
        if cursor.description:
            return cursor.description, cursor.fetchall(), -1, -1
        return None, None, cursor.lastrowid, cursor.rowcount
    finally:
        cursor.close()


def _execute_in_one_trip(self: Any, operation: Any, parameters: Any = None) -> None:
    """`AsyncAdapt_aiosqlite_cursor.execute` with one hop to aiosqlite's thread instead of four: each hop
    is a thread wake-up and a future, about 50 us, and every statement of a turn waited for four of them
    while holding the writer lock. Same results and errors (the cursor's fields, then its rows). A
    server-side cursor (rows read as they are needed) keeps SQLAlchemy's own execute."""
    if self.server_side:
        return _sqlalchemy_execute(self, operation, parameters)
    try:
        description, rows, lastrowid, rowcount = self.await_(
            self._connection._execute(_run_statement, self._connection._conn, operation, parameters)
        )
        self.description = description
        self.lastrowid, self.rowcount = lastrowid, rowcount
        self._rows = deque(rows) if rows is not None else deque()
    except Exception as error:
        self._adapt_connection._handle_exception(error)


_sqlalchemy_execute = _aiosqlite_dialect.AsyncAdapt_aiosqlite_cursor.execute


def _use_one_trip_cursor() -> None:
    """Install `_execute_in_one_trip` when the installed aiosqlite and SQLAlchemy look as expected."""
    try:
        import aiosqlite
    except ImportError:
        return
    cursor_class = _aiosqlite_dialect.AsyncAdapt_aiosqlite_cursor
    if hasattr(aiosqlite.Connection, "_execute") and hasattr(aiosqlite.Connection, "_conn"):
        cursor_class.execute = _execute_in_one_trip  # type: ignore[method-assign]


_use_one_trip_cursor()


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


# One writer lock per SQLite engine and event loop: on SQLite every transaction is a writer (BEGIN
# IMMEDIATE), and only one can run at a time anyway. Queuing them here, in the order they came, costs
# nothing while the database is idle and keeps a burst from piling up on the pool and SQLite's busy handler.
_writer_locks: weakref.WeakKeyDictionary[Any, dict[int, asyncio.Lock]] = weakref.WeakKeyDictionary()
_holding: ContextVar[frozenset[int]] = ContextVar("holding_writer_lock", default=frozenset())


def _writer_lock(sessions: async_sessionmaker[AsyncSession]) -> asyncio.Lock | None:
    """The SQLite engine's writer lock for the running loop; None on PostgreSQL (row locks take turns there)."""
    bind = sessions.kw.get("bind")
    if not isinstance(bind, AsyncEngine) or not is_sqlite(bind):
        return None
    per_loop = _writer_locks.setdefault(bind.sync_engine, {})
    loop = id(asyncio.get_running_loop())
    lock = per_loop.get(loop)
    if lock is None:
        if len(per_loop) > 8:  # loops of finished test runs
            per_loop.clear()
        lock = per_loop[loop] = asyncio.Lock()
    return lock


@asynccontextmanager
async def unit_of_work(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """One session and transaction: committed when the block ends, rolled back on an exception.

    On SQLite the units of work of the process take turns on one writer lock (a unit of work opened
    inside another of the same task does not wait for itself)."""
    lock = _writer_lock(sessions)
    key = id(lock)
    if lock is None or key in _holding.get():
        async with sessions() as session, session.begin():
            yield session
        return
    async with lock:
        token = _holding.set(_holding.get() | {key})
        try:
            async with sessions() as session, session.begin():
                yield session
        finally:
            _holding.reset(token)


def insert_for(session: AsyncSession) -> Callable[..., postgresql.Insert | sqlite.Insert]:
    """The session's dialect's INSERT, the one with "on conflict do nothing / do update" (SQLite by default)."""
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        return postgresql.insert
    return sqlite.insert


async def ping(engine: AsyncEngine) -> bool:
    """True when the database answers."""
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        return True
    except Exception:
        return False


# PostgreSQL's refusals of a value itself: numeric value out of range, a character it cannot store (NUL).
_BAD_VALUE_STATES = {"22003": "number", "22021": "text", "22P05": "text"}


def refused_value(exc: BaseException | None) -> str | None:
    """ "number" or "text" when the database refused a value typed by someone (an id of 2^63 in an address,
    a NUL character in a form), else None. SQLite raises OverflowError; asyncpg raises a DataError (or a
    server error with its SQLSTATE) that SQLAlchemy wraps."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, OverflowError):
            return "number"
        state = _BAD_VALUE_STATES.get(str(getattr(exc, "sqlstate", "")))
        if state:
            return state
        exc = exc.__cause__ or exc.__context__ or getattr(exc, "orig", None)
        seen += 1
    return None
