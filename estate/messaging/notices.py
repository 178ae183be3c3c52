"""Notices (通知公告) to the whole estate, one building, or the residents in arrears, through the outbox.

Only a supervisor or above sends an urgent notice (delivered during quiet hours too) or one to the whole
estate; an agent's notices go to a building or the residents in arrears and wait for quiet hours to end.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from estate.core.clock import Clock
from estate.core.errors import DomainError, NotFound, ValidationFailed
from estate.messaging.models import Notice, NoticeTarget
from estate.messaging.notice_recipients import recipients
from estate.messaging.outbox import enqueue_many
from estate.messaging.outbox_status import outbox_counts
from estate.messaging.quiet import send_from
from estate.staff.audit import audit
from estate.staff.models import Staff
from estate.tickets.transitions import LEADS


class NoticeNotAllowed(DomainError):
    """The staff member's role may not send this kind of notice (urgent, or to the whole estate)."""


async def check_sender(session: AsyncSession, *, staff_id: int | None, target: str, urgent: bool) -> None:
    """Urgent and estate-wide notices are for supervisors and above (the scheduler, staff_id None, may send)."""
    if staff_id is None or not (urgent or target == NoticeTarget.ESTATE):
        return
    staff = await session.get(Staff, staff_id)
    if staff is not None and staff.role in LEADS:
        return
    raise NoticeNotAllowed("urgent_notices_leads_only" if urgent else "estate_notices_leads_only")


async def create_notice(
    session: AsyncSession,
    *,
    clock: Clock,
    estate_id: int,
    title: str,
    body: str,
    target: str = NoticeTarget.ESTATE,
    building_id: int | None = None,
    urgent: bool = False,
    scheduled_at: datetime | None = None,
    staff_id: int | None = None,
) -> Notice:
    """Draft a notice; publish it now with `publish_notice`, or let the scheduler publish it at `scheduled_at`."""
    title, body = (title or "").strip(), (body or "").strip()
    if not title or not body:
        raise ValidationFailed("notice_incomplete")
    if target not in set(NoticeTarget):
        raise ValidationFailed("bad_target", target=target)
    if target == NoticeTarget.BUILDING and building_id is None:
        raise ValidationFailed("building_required")
    await check_sender(session, staff_id=staff_id, target=target, urgent=urgent)
    notice = Notice(
        estate_id=estate_id,
        title=title,
        body=body,
        target=target,
        building_id=building_id,
        urgent=urgent,
        scheduled_at=scheduled_at,
        created_at=clock.now(),
        created_by_staff_id=staff_id,
    )
    session.add(notice)
    await session.flush()
    await audit(
        session,
        clock=clock,
        staff_id=staff_id,
        action="notice.create",
        target_type="notice",
        target_id=notice.id,
    )
    return notice


async def publish_notice(
    session: AsyncSession,
    *,
    clock: Clock,
    notice_id: int,
    quiet: tuple[ZoneInfo, int, int] | None = None,
    staff_id: int | None = None,
) -> int:
    """Queue the notice to every recipient once (publishing again queues nothing new); returns rows queued."""
    notice = await session.get(Notice, notice_id)
    if notice is None:
        raise NotFound("notice_not_found")
    now = clock.now()
    not_before = send_from(now, quiet=quiet, urgent=notice.urgent)
    text = f"{notice.title}\n\n{notice.body}"
    rows = [
        dict(
            dedupe_key=f"notice:{notice.id}:{account.channel}:{account.id}",
            channel=account.channel,
            channel_account_id=account.id,
            resident_id=account.resident_id,
            text=text,
            kind="notice",
            urgent=notice.urgent,
            not_before=not_before,
            notice_id=notice.id,
        )
        for account in await recipients(session, notice, now=now)
    ]
    queued = len(await enqueue_many(session, clock=clock, rows=rows))
    notice.published_at = notice.published_at or now
    await session.flush()
    if staff_id is not None:
        await audit(
            session,
            clock=clock,
            staff_id=staff_id,
            action="notice.publish",
            target_type="notice",
            target_id=notice.id,
            detail={"queued": queued},
        )
    return queued


async def due_notices(session: AsyncSession, *, now: datetime) -> list[Notice]:
    """Scheduled notices whose time has come and that are not published yet."""
    rows = await session.execute(
        select(Notice).where(
            Notice.published_at.is_(None), Notice.scheduled_at.is_not(None), Notice.scheduled_at <= now
        )
    )
    return list(rows.scalars())


async def recent_notices(session: AsyncSession, *, estate_id: int, limit: int = 50) -> list[Notice]:
    """The estate's newest notices, newest first."""
    rows = await session.execute(
        select(Notice).where(Notice.estate_id == estate_id).order_by(Notice.id.desc()).limit(limit)
    )
    return list(rows.scalars())


async def delivery_counts(session: AsyncSession, *, notice_id: int) -> dict[tuple[str, str], int]:
    """Messages of the notice per (channel, status)."""
    return await outbox_counts(session, notice_id=notice_id)
