"""Finding tickets by what staff remember of them: the reference, the unit, the resident's name or phone,
or words of the description and of the messages — Chinese without spaces included.

The words are found through an index kept by the database itself, so it stays current on every insert:
- SQLite: an FTS5 table with the trigram tokenizer (`ticket_search`), filled by triggers on `tickets` and
  `ticket_events`; a ticket's own row has the ticket's id as rowid, a message's row minus the event's id.
- PostgreSQL: `pg_trgm` GIN indexes on `tickets.description` and `ticket_events.text`, used by ILIKE.
Trigrams need three characters: a query of one or two is matched with LIKE instead (fine for a word such as
"漏水" on a page of fifty rows). The same DDL serves `create_all` (tests, benchmarks) and migration 0008.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from sqlalchemy import Connection, Integer, Select, column, event, or_, select, text, union
from sqlalchemy.sql.elements import ColumnElement

from estate.core.base import Base
from estate.residents.models import Resident, Unit
from estate.residents.service import normalise_phone
from estate.tickets.models import Ticket, TicketEvent

MESSAGE_KINDS = ("message_in", "message_out")
SEARCH_TABLE = "ticket_search"
PG_INDEXES = ("ix_tickets_description_trgm", "ix_tickets_location_trgm", "ix_ticket_events_text_trgm")

SQLITE_DDL = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {SEARCH_TABLE} USING fts5(body, ticket_id UNINDEXED, "
    "tokenize='trigram')",
    f"""CREATE TRIGGER IF NOT EXISTS ticket_search_ticket_in AFTER INSERT ON tickets BEGIN
      INSERT INTO {SEARCH_TABLE}(rowid, body, ticket_id)
      VALUES (new.id, new.description || ' ' || coalesce(new.location_text, ''), new.id); END""",
    f"""CREATE TRIGGER IF NOT EXISTS ticket_search_ticket_up AFTER UPDATE OF description, location_text
      ON tickets BEGIN
      UPDATE {SEARCH_TABLE} SET body = new.description || ' ' || coalesce(new.location_text, '')
      WHERE rowid = new.id; END""",
    f"""CREATE TRIGGER IF NOT EXISTS ticket_search_message_in AFTER INSERT ON ticket_events
      WHEN new.kind IN ('message_in', 'message_out') AND new.text IS NOT NULL BEGIN
      INSERT INTO {SEARCH_TABLE}(rowid, body, ticket_id) VALUES (-new.id, new.text, new.ticket_id); END""",
)
SQLITE_BACKFILL = (
    f"INSERT INTO {SEARCH_TABLE}(rowid, body, ticket_id) "
    "SELECT id, description || ' ' || coalesce(location_text, ''), id FROM tickets",
    f"INSERT INTO {SEARCH_TABLE}(rowid, body, ticket_id) SELECT -id, text, ticket_id FROM ticket_events "
    "WHERE kind IN ('message_in', 'message_out') AND text IS NOT NULL",
)
SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS ticket_search_ticket_in",
    "DROP TRIGGER IF EXISTS ticket_search_ticket_up",
    "DROP TRIGGER IF EXISTS ticket_search_message_in",
    f"DROP TABLE IF EXISTS {SEARCH_TABLE}",
)
POSTGRES_DDL = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS ix_tickets_description_trgm ON tickets USING gin (description gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS ix_tickets_location_trgm ON tickets USING gin (location_text gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS ix_ticket_events_text_trgm ON ticket_events USING gin (text gin_trgm_ops)",
)
POSTGRES_DROP = tuple(f"DROP INDEX IF EXISTS {name}" for name in PG_INDEXES)


def index_statements(dialect: str, *, backfill: bool = False) -> tuple[str, ...]:
    """The DDL that builds the search index on this dialect (with `backfill`, also indexing existing rows)."""
    if dialect == "sqlite":
        return SQLITE_DDL + (SQLITE_BACKFILL if backfill else ())
    return POSTGRES_DDL if dialect == "postgresql" else ()


def drop_statements(dialect: str) -> tuple[str, ...]:
    """The DDL that removes the search index again (the migration's downgrade)."""
    return SQLITE_DROP if dialect == "sqlite" else POSTGRES_DROP if dialect == "postgresql" else ()


def is_search_index(name: str | None, type_: str, parent_names: Any = None) -> bool:
    """False for the search index's own tables and indexes, which live outside the models: Alembic's
    comparison of models and database (`include_name`) leaves them out."""
    if name is None:
        return True
    return not (name == SEARCH_TABLE or name.startswith(f"{SEARCH_TABLE}_") or name in PG_INDEXES)


@event.listens_for(Base.metadata, "after_create")
def _build_index(target: Any, connection: Connection, **kw: Any) -> None:
    """`create_all` builds the search index too, as migration 0008 does."""
    for statement in index_statements(connection.dialect.name):
        connection.execute(text(statement))


@event.listens_for(Base.metadata, "before_drop")
def _drop_index(target: Any, connection: Connection, **kw: Any) -> None:
    for statement in drop_statements(connection.dialect.name):
        connection.execute(text(statement))


def _like(query: str) -> str:
    escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _indexed_words(query: str, dialect: str) -> list[Select[Any]]:
    """Ids of tickets whose description, place or messages contain `query` (three characters or more), found
    through the index. On SQLite a ticket's own row has its id as rowid and a message's row minus the event's id
    (reading the rowid is much cheaper than the unindexed ticket_id column)."""
    pattern = _like(query)
    if dialect != "sqlite":
        return [
            select(Ticket.id).where(Ticket.description.ilike(pattern, escape="\\")),
            select(Ticket.id).where(Ticket.location_text.ilike(pattern, escape="\\")),
            select(TicketEvent.ticket_id).where(
                TicketEvent.kind.in_(MESSAGE_KINDS), TicketEvent.text.ilike(pattern, escape="\\")
            ),
        ]
    phrase = '"' + query.replace('"', '""') + '"'
    matches = f"FROM {SEARCH_TABLE} WHERE {SEARCH_TABLE} MATCH :phrase AND rowid"
    own = text(f"SELECT rowid {matches} > 0").bindparams(phrase=phrase).columns(column("rowid", Integer))
    of_messages = text(f"SELECT -rowid {matches} < 0").bindparams(phrase=phrase).columns(column("e", Integer))
    return [
        select(own.subquery().c.rowid),
        select(TicketEvent.ticket_id).where(TicketEvent.id.in_(of_messages)),
    ]


def _scanned_words(query: str) -> ColumnElement[bool]:
    """Tickets whose description, place or messages contain `query`, checked row by row (one or two characters:
    too short for trigrams, and such words are common, so a walk in queue order stops early)."""
    pattern = _like(query)
    messages = select(TicketEvent.ticket_id).where(
        TicketEvent.kind.in_(MESSAGE_KINDS), TicketEvent.text.ilike(pattern, escape="\\")
    )
    return or_(
        Ticket.description.ilike(pattern, escape="\\"),
        Ticket.location_text.ilike(pattern, escape="\\"),
        Ticket.id.in_(messages),
    )


def _people_and_places(query: str) -> list[Select[Any]]:
    """Ids of tickets by reference, of a unit whose code contains the query, or of a resident by name or phone."""
    pattern = _like(query)
    units = select(Unit.id).where(Unit.code.ilike(_like(query.upper()), escape="\\"))
    people: list[ColumnElement[bool]] = [Resident.name.ilike(pattern, escape="\\")]
    phone = normalise_phone(query)
    digits = phone or (query if query.isdigit() and len(query) >= 4 else None)
    if digits:
        people.append(Resident.phone.like(_like(digits), escape="\\"))
    return [
        select(Ticket.id).where(Ticket.ref == query.upper()),
        select(Ticket.id).where(Ticket.unit_id.in_(units)),
        select(Ticket.id).where(Ticket.resident_id.in_(select(Resident.id).where(or_(*people)))),
    ]


class Search(NamedTuple):
    condition: ColumnElement[bool]
    selective: (
        bool  # the matches come from indexes: sort them; else walk the queue in order and test each row
    )


def search_condition(query: str, dialect: str) -> Search | None:
    """The queue's search box as a condition on `Ticket` (None for an empty query): the reference, the unit,
    the resident's name or phone, or words of the description and messages."""
    query = " ".join((query or "").split())
    if not query:
        return None
    found = _people_and_places(query)
    if len(query) >= 3:
        return Search(Ticket.id.in_(union(*found, *_indexed_words(query, dialect))), selective=True)
    return Search(or_(*(Ticket.id.in_(ids) for ids in found), _scanned_words(query)), selective=False)
