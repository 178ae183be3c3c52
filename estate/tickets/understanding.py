"""The estate's understanding model: the shipped corpus plus the corrections its staff made.

Staff changing a ticket's kind or category records the (text, label) pair. The nightly job
`retrain_understanding` folds the corrections made so far into the estate's model and notes how far it got
in a counter, so that every process (web and worker) uses the same, retrained model.
"""

from __future__ import annotations

import asyncio
import time
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from estate.core.base import Counter
from estate.core.settings import Settings
from estate.tickets.models import Ticket, TicketKind, UnderstandingCorrection
from understanding import Example, Model, Understanding, load_model

RELOAD_SECONDS = 60.0  # how long a process trusts its copy before looking for a newer retrained model


def cache_dir(settings: Settings) -> Path:
    """Where trained models are kept, keyed by the hash of what they were trained on."""
    return Path(settings.data_dir) / "understanding"


def _counter(estate_id: int) -> str:
    return f"understanding:{estate_id}"


async def record_correction(
    session: AsyncSession,
    *,
    ticket: Ticket,
    kind: str,
    category: str | None,
    staff_id: int | None,
    at: datetime,
) -> UnderstandingCorrection | None:
    """Keep a staff correction of a resident-written ticket as a training example (None for staff tickets)."""
    if ticket.resident_id is None and ticket.channel_account_id is None:
        return None  # registered by staff: the words are not a resident's
    row = UnderstandingCorrection(
        estate_id=ticket.estate_id,
        ticket_id=ticket.id,
        text=ticket.description,
        intent=kind,  # a ticket kind is also the name of its intent
        category=category if kind in (TicketKind.REPAIR, TicketKind.COMPLAINT) else None,
        staff_id=staff_id,
        created_at=at,
    )
    session.add(row)
    await session.flush()
    return row


async def _corrections(session: AsyncSession, estate_id: int, through: int) -> list[Example]:
    rows = (
        await session.execute(
            select(UnderstandingCorrection)
            .where(UnderstandingCorrection.estate_id == estate_id, UnderstandingCorrection.id <= through)
            .order_by(UnderstandingCorrection.id)
        )
    ).scalars()
    latest: dict[str, Example] = {}
    for row in rows:  # the latest correction of the same words wins
        latest[row.text] = Example(text=row.text, intent=row.intent, category=row.category)
    return list(latest.values())


async def _trained_through(session: AsyncSession, estate_id: int) -> int:
    row = await session.get(Counter, _counter(estate_id))
    return row.value if row is not None else 0


# (installation, estate id) -> (trained through, loaded at, model); an installation is its database and data folder
_MODELS: dict[tuple[str, str, int], tuple[int, float, Model]] = {}


def _key(settings: Settings, estate_id: int | None) -> tuple[str, str, int]:
    return (settings.database_url, str(settings.data_dir), estate_id or 0)


async def model_for(session: AsyncSession, *, settings: Settings, estate_id: int | None) -> Model:
    """The estate's current model (the shipped corpus alone when there is no estate or no correction)."""
    key = _key(settings, estate_id)
    cached = _MODELS.get(key)
    if cached is not None and time.monotonic() - cached[1] < RELOAD_SECONDS:
        return cached[2]
    through = await _trained_through(session, estate_id) if estate_id else 0
    if cached is not None and cached[0] == through:
        _MODELS[key] = (through, time.monotonic(), cached[2])
        return cached[2]
    corrections = await _corrections(session, estate_id, through) if estate_id and through else []
    model = await asyncio.to_thread(load_model, cache_dir(settings), corrections)
    _MODELS[key] = (through, time.monotonic(), model)
    return model


async def classify(
    session: AsyncSession, *, settings: Settings, estate_id: int | None, text: str
) -> Understanding:
    """What the resident's words most likely mean, by the estate's model."""
    model = await model_for(session, settings=settings, estate_id=estate_id)
    return model.classify(text)


async def retrain(session: AsyncSession, *, settings: Settings, estate_id: int) -> int:
    """Fold every correction made so far into the estate's model; returns how many were used."""
    newest = (
        await session.execute(
            select(UnderstandingCorrection.id)
            .where(UnderstandingCorrection.estate_id == estate_id)
            .order_by(UnderstandingCorrection.id.desc())
            .limit(1)
        )
    ).scalar_one_or_none()
    if newest is None:
        return 0
    corrections = await _corrections(session, estate_id, newest)
    model = await asyncio.to_thread(load_model, cache_dir(settings), corrections)
    row = await session.get(Counter, _counter(estate_id))
    if row is None:
        session.add(Counter(name=_counter(estate_id), value=newest))
    else:
        row.value = newest
    _MODELS[_key(settings, estate_id)] = (newest, time.monotonic(), model)
    return len(corrections)


def warm_up(settings: Settings) -> None:
    """Train or load the shipped model ahead of the first message (called at start-up, in a thread)."""
    load_model(cache_dir(settings))
