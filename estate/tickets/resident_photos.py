"""The photos a resident's chat may see again: those it sent itself, and those on its resident's tickets."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from estate.messaging.models import ChannelAccount
from estate.residents.models import Resident
from estate.tickets.models import Attachment, Ticket


async def photo_for_chat(
    session: AsyncSession, *, account: ChannelAccount, attachment_id: int
) -> Attachment | None:
    """The photo if this chat sent it, or if it is on a ticket of the (active) resident the chat is bound
    to; None for anything else, so that nobody learns whether another chat's photo exists."""
    row = await session.get(Attachment, attachment_id)
    if row is None:
        return None
    if row.channel_account_id == account.id:
        return row
    if row.ticket_id is None or account.resident_id is None:
        return None
    owner = await session.execute(
        select(Ticket.id)
        .join(Resident, Resident.id == Ticket.resident_id)
        .where(Ticket.id == row.ticket_id, Resident.id == account.resident_id, Resident.active.is_(True))
    )
    return row if owner.scalar_one_or_none() is not None else None


def photo_file(data_dir: Path, row: Attachment) -> Path | None:
    """The photo's file, if it is still there inside the data directory."""
    root = Path(data_dir).resolve()
    path = (root / row.path).resolve()
    return path if path.is_relative_to(root) and path.is_file() else None
