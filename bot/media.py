"""Storing residents' photos: type and size checked, content-addressed files under the data directory."""

from __future__ import annotations

import hashlib
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from estate.clock import Clock
from estate.errors import ValidationFailed
from estate.models import Attachment

SIGNATURES = {
    b"\xff\xd8\xff": ("image/jpeg", ".jpg"),
    b"\x89PNG\r\n\x1a\n": ("image/png", ".png"),
    b"GIF87a": ("image/gif", ".gif"),
    b"GIF89a": ("image/gif", ".gif"),
}


def sniff(data: bytes) -> tuple[str, str] | None:
    """The image type by its first bytes (not by what the sender claims), or None."""
    for magic, kind in SIGNATURES.items():
        if data.startswith(magic):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return ("image/webp", ".webp")
    return None


async def store_photo(
    session: AsyncSession, *, clock: Clock, data_dir: Path, data: bytes, max_bytes: int
) -> Attachment:
    """Keep an uploaded photo; raises ValidationFailed('photo_too_large' / 'not_a_photo')."""
    if len(data) > max_bytes:
        raise ValidationFailed("photo_too_large", max_mb=max_bytes // (1024 * 1024))
    kind = sniff(data)
    if kind is None or len(data) < 16:
        raise ValidationFailed("not_a_photo")
    content_type, suffix = kind
    digest = hashlib.sha256(data).hexdigest()
    relative = Path("attachments") / digest[:2] / f"{digest}{suffix}"
    target = Path(data_dir) / relative
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".part")
        tmp.write_bytes(data)
        tmp.replace(target)
    row = Attachment(
        path=str(relative), content_type=content_type, size=len(data), sha256=digest, created_at=clock.now()
    )
    session.add(row)
    await session.flush()
    return row
