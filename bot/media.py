"""Storing residents' photos: type and size checked, content-addressed files under the data directory.

Only a chat bound to a resident may store photos, at most `photo_max_per_hour` an hour and
`photo_quota_mb` of photos not yet part of a request; the `attachments_cleanup` job removes photos
that no request took up within a day.
"""

from __future__ import annotations

import hashlib
import os
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from estate.core.clock import Clock
from estate.core.errors import ValidationFailed
from estate.core.settings import Settings
from estate.messaging.models import ChannelAccount
from estate.tickets.models import Attachment
from locales import N_, Translator

SIGNATURES = {
    b"\xff\xd8\xff": ("image/jpeg", ".jpg"),
    b"\x89PNG\r\n\x1a\n": ("image/png", ".png"),
    b"GIF87a": ("image/gif", ".gif"),
    b"GIF89a": ("image/gif", ".gif"),
}
MB = 1024 * 1024
MESSAGES = {
    "photo_too_large": N_("That photo is too large. Please send one under {max_mb} MB."),
    "not_a_photo": N_("That file is not a photo we can use. Please send a JPEG, PNG, GIF or WebP picture."),
    "photo_needs_binding": N_(
        "Please bind this chat to your home before sending photos, so that we know whose request they belong to."
    ),
    "photo_too_many": N_(
        "You have sent a lot of photos in a short time. Please wait a while before sending more."
    ),
}


def photo_message(locale: str | None, exc: ValidationFailed) -> str:
    """The resident's sentence for a refused photo."""
    return Translator(locale)(MESSAGES.get(exc.code, MESSAGES["not_a_photo"]), **exc.params)


def sniff(data: bytes) -> tuple[str, str] | None:
    """The image type by its first bytes (not by what the sender claims), or None."""
    for magic, kind in SIGNATURES.items():
        if data.startswith(magic):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return ("image/webp", ".webp")
    return None


async def check_allowance(
    session: AsyncSession, *, clock: Clock, settings: Settings, account: ChannelAccount
) -> None:
    """Refuse (ValidationFailed 'photo_needs_binding' / 'photo_too_many') before anything is downloaded."""
    if account.resident_id is None:
        raise ValidationFailed("photo_needs_binding")
    mine = select(func.count(), func.coalesce(func.sum(Attachment.size), 0)).where(
        Attachment.channel_account_id == account.id
    )
    recent, _ = (
        await session.execute(mine.where(Attachment.created_at > clock.now() - timedelta(hours=1)))
    ).one()
    _, waiting = (await session.execute(mine.where(Attachment.ticket_id.is_(None)))).one()
    if recent >= settings.photo_max_per_hour or waiting >= settings.photo_quota_mb * MB:
        raise ValidationFailed("photo_too_many")


async def may_store(
    sessions: async_sessionmaker[AsyncSession],
    *,
    clock: Clock,
    settings: Settings,
    channel: str,
    external_id: str,
) -> bool:
    """Whether that chat may store a photo now: asked before downloading one, outside any transaction
    (a download must not hold the database's write lock); store_photo checks again."""
    async with sessions() as s:
        account = (
            await s.execute(
                select(ChannelAccount).where(
                    ChannelAccount.channel == channel, ChannelAccount.external_id == external_id
                )
            )
        ).scalar_one_or_none()
        if account is None:
            return False
        try:
            await check_allowance(s, clock=clock, settings=settings, account=account)
        except ValidationFailed:
            return False
        return True


async def store_photo(
    session: AsyncSession, *, clock: Clock, settings: Settings, account: ChannelAccount, data: bytes
) -> Attachment:
    """Keep a bound resident's photo; raises ValidationFailed (see MESSAGES for the codes)."""
    if len(data) > settings.max_photo_bytes:
        raise ValidationFailed("photo_too_large", max_mb=settings.max_photo_bytes // MB)
    kind = sniff(data)
    if kind is None or len(data) < 16:
        raise ValidationFailed("not_a_photo")
    await check_allowance(session, clock=clock, settings=settings, account=account)
    content_type, suffix = kind
    digest = hashlib.sha256(data).hexdigest()
    relative = Path("attachments") / digest[:2] / f"{digest}{suffix}"
    target = Path(settings.data_dir) / relative
    if target.exists():
        os.utime(target)  # fresh again: the cleanup job leaves files touched within the day alone
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".part")
        tmp.write_bytes(data)
        tmp.replace(target)
    row = Attachment(
        path=str(relative),
        content_type=content_type,
        size=len(data),
        sha256=digest,
        created_at=clock.now(),
        channel_account_id=account.id,
    )
    session.add(row)
    await session.flush()
    return row
