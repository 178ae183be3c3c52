"""Photos on tickets: linking uploads to a ticket's timeline event, and removing those nobody took up.

Uploads that no request linked within a day are removed, rows and files. Files are content-addressed, so
one file may belong to several rows: it is removed only when no row refers to it any more and it was not
written (or re-used, which touches it) within the day.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from estate.core.clock import Clock
from estate.tickets.models import Attachment, Ticket, TicketEvent

UNLINKED_FOR = timedelta(days=1)


async def link_attachments(
    session: AsyncSession, ticket: Ticket, event: TicketEvent, attachment_ids: Sequence[int]
) -> None:
    """Put uploads not yet linked on the ticket, at the timeline event they came with."""
    await session.execute(
        update(Attachment)
        .where(Attachment.id.in_(list(attachment_ids)), Attachment.ticket_id.is_(None))
        .values(ticket_id=ticket.id, event_id=event.id)
    )
    event.data = {**(event.data or {}), "attachments": list(attachment_ids)}


async def remove_unlinked(
    session: AsyncSession, *, clock: Clock, data_dir: Path, older_than: timedelta = UNLINKED_FOR
) -> int:
    """Delete attachments with no ticket created before `older_than` ago, and their unshared files."""
    cutoff = clock.now() - older_than
    stale = (
        await session.execute(
            select(Attachment.id, Attachment.path).where(
                Attachment.ticket_id.is_(None), Attachment.created_at < cutoff
            )
        )
    ).all()
    if not stale:
        return 0
    await session.execute(delete(Attachment).where(Attachment.id.in_([i for i, _ in stale])))
    paths = {p for _, p in stale}
    still_used = set(
        (await session.execute(select(Attachment.path).where(Attachment.path.in_(paths)))).scalars()
    )
    await asyncio.to_thread(_remove_files, Path(data_dir), paths - still_used, cutoff.timestamp())
    return len(stale)


def _remove_files(data_dir: Path, relatives: set[str], cutoff: float) -> None:
    root = data_dir.resolve()
    for relative in relatives:
        target = (root / relative).resolve()
        if not target.is_relative_to(root):
            continue
        with contextlib.suppress(FileNotFoundError):
            if target.stat().st_mtime < cutoff:
                target.unlink()
