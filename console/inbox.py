"""The console's inbox of live chats: residents who asked for a person, and one conversation with the
resident, their unit and open tickets, where an agent claims, answers, makes a ticket and closes."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, Depends, Form, Query
from fastapi.responses import HTMLResponse, Response

from console.app import page_for
from console.labels import KIND_LABELS
from console.web import Page
from estate.activity.reads import LIVE, mark_read
from estate.activity.scope import estate_ids_for
from estate.core.errors import DomainError, NotFound
from estate.livechat import chats
from estate.livechat.convert import to_ticket
from estate.livechat.inbox import ChatView, InboxRow, chat_view, inbox
from estate.livechat.models import LiveStatus
from estate.residents.models import Estate
from estate.tickets.categories import CATEGORIES
from estate.tickets.models import Ticket, TicketKind
from estate.tickets.phrases import find_forbidden, standard_phrases
from locales import N_

router = APIRouter()
RECENT = timedelta(hours=12)  # closed chats stay in the inbox this long

CHANNEL_LABELS = {"webchat": N_("Web chat"), "telegram": N_("Telegram"), "wechat": N_("WeChat")}
STATUS_LABELS = {
    LiveStatus.WAITING: N_("Waiting for a person"),
    LiveStatus.ACTIVE: N_("In conversation"),
    LiveStatus.CLOSED: N_("Ended"),
}
# The chat's system lines (estate.livechat.chats.system_line codes) as sentences; {name}: the staff member.
SYSTEM_LINES = {
    "claimed": N_("{name} took the conversation."),
    "closed": N_("{name} ended the conversation; the assistant answers the resident again."),
    "left": N_("The resident ended the conversation; the assistant answers them again."),
    "ticket": N_("{name} made a ticket of this conversation."),
}
WAITED = {
    "minutes": N_("waiting for {n} min"),
    "hours": N_("waiting for {n} h"),
    "days": N_("waiting for {n} days"),
}


def reader() -> Any:
    return Depends(page_for("inbox"), scope="function")


def writer() -> Any:
    return Depends(page_for("inbox", write=True), scope="function")


def waited(since: datetime, now: datetime) -> tuple[str, int]:
    """How long a resident has waited, in words: (msgid of WAITED, the number for {n}); at least 1 minute."""
    minutes = int(max((now - since).total_seconds(), 0) // 60)
    if minutes < 60:
        return WAITED["minutes"], max(minutes, 1)
    if minutes < 48 * 60:
        return WAITED["hours"], minutes // 60
    return WAITED["days"], minutes // (24 * 60)


async def _rows(page: Page) -> list[InboxRow]:
    estate_ids = await estate_ids_for(page.session, page.staff)
    since = page.ctx.clock.now() - RECENT
    return await inbox(page.session, estate_ids=estate_ids, staff_id=page.staff.id, closed_since=since)


def _words() -> dict[str, Any]:
    """What the inbox templates need to put codes into words."""
    return {
        "channel_labels": CHANNEL_LABELS,
        "live_status": STATUS_LABELS,
        "system_lines": SYSTEM_LINES,
        "waited": waited,
    }


@router.get("/inbox", response_class=HTMLResponse)
async def inbox_page(page: Page = reader(), fragment: bool = Query(False)) -> HTMLResponse:
    """The inbox; with `fragment`, only its rows (the live console refreshes them)."""
    rows = await _rows(page)
    return page.render("_inbox_rows.html" if fragment else "inbox.html", rows=rows, **_words())


@router.get("/inbox/waiting", response_class=HTMLResponse)
async def waiting_count(page: Page = reader()) -> HTMLResponse:
    """How many residents wait for a person: the number beside the menu's Inbox link."""
    rows = await _rows(page)
    count = sum(1 for row in rows if row.chat.status == LiveStatus.WAITING)
    return page.render("_inbox_waiting.html", count=count)


async def visible_chat(page: Page, chat_id: int) -> ChatView:
    """The live chat, if it belongs to an estate of this staff member (NotFound otherwise)."""
    view = await chat_view(page.session, chat_id)
    if view is None or view.chat.estate_id not in await estate_ids_for(page.session, page.staff):
        raise NotFound("live_chat_not_found")
    return view


async def show(page: Page, chat_id: int, status: int = 200, **extra: Any) -> HTMLResponse:
    """The chat page (with `extra`: a lost claim, a refused reply, a refusal's code)."""
    view = await visible_chat(page, chat_id)
    estate = await page.session.get(Estate, view.chat.estate_id)
    ticket = await page.session.get(Ticket, view.chat.ticket_id) if view.chat.ticket_id else None
    return page.render(
        "live_chat.html",
        status=status,
        view=view,
        made_ticket=ticket,
        mine=view.chat.claimed_by_id == page.staff.id,
        phrases=standard_phrases(page.locale, estate=estate.name if estate else ""),
        classifications=[(kind, KIND_LABELS[kind], CATEGORIES[kind]) for kind in TicketKind],
        **_words(),
        **extra,
    )


@router.get("/inbox/{chat_id}", response_class=HTMLResponse)
async def chat_page(chat_id: int, page: Page = reader(), fragment: bool = Query(False)) -> HTMLResponse:
    """One conversation, marked read for this staff member; with `fragment`, only its lines."""
    view = await visible_chat(page, chat_id)
    now = page.ctx.clock.now()
    await mark_read(page.session, staff_id=page.staff.id, subject=LIVE, subject_id=chat_id, at=now)
    if fragment:
        return page.render("_live_lines.html", view=view, **_words())
    return await show(page, chat_id)


async def refused(page: Page, chat_id: int, error: DomainError, status: int = 409) -> HTMLResponse:
    """The chat page again with the refusal in words."""
    return await show(page, chat_id, status=status, refusal=error.code, refusal_params=error.params)


@router.post("/inbox/{chat_id}/claim", response_class=HTMLResponse)
async def claim(chat_id: int, page: Page = writer()) -> Response:
    await visible_chat(page, chat_id)
    try:
        await chats.claim(page.session, clock=page.ctx.clock, chat_id=chat_id, staff=page.staff)
    except chats.LiveClaimConflict as lost:
        return await show(page, chat_id, status=409, claim_lost=lost.params.get("winner") or "?")
    except DomainError as error:
        return await refused(page, chat_id, error)
    return page.redirect(f"/inbox/{chat_id}")


@router.post("/inbox/{chat_id}/reply", response_class=HTMLResponse)
async def reply(chat_id: int, text: str = Form(""), page: Page = writer()) -> Response:
    """The agent's answer; a forbidden phrase is refused as on the ticket page, with the polite alternatives."""
    await visible_chat(page, chat_id)
    matches = find_forbidden(text, locale=page.locale)
    if matches:
        return await show(page, chat_id, status=422, refused=text, forbidden=matches)
    try:
        await chats.reply(
            page.session,
            clock=page.ctx.clock,
            chat_id=chat_id,
            staff=page.staff,
            text=text,
            locale=page.locale,
        )
    except DomainError as error:
        return await show(
            page, chat_id, status=409, refused=text, refusal=error.code, refusal_params=error.params
        )
    return page.redirect(f"/inbox/{chat_id}")


@router.post("/inbox/{chat_id}/ticket", response_class=HTMLResponse)
async def make_ticket(chat_id: int, classification: str = Form(""), page: Page = writer()) -> Response:
    """A ticket of what the resident wrote, of the chosen kind and category."""
    await visible_chat(page, chat_id)
    kind, _, code = classification.partition(":")
    try:
        await to_ticket(
            page.session,
            clock=page.ctx.clock,
            chat_id=chat_id,
            staff=page.staff,
            kind=kind,
            category_code=code,
            rules=page.ctx.rules,
        )
    except DomainError as error:
        return await refused(page, chat_id, error)
    return page.redirect(f"/inbox/{chat_id}")


@router.post("/inbox/{chat_id}/close", response_class=HTMLResponse)
async def close(chat_id: int, page: Page = writer()) -> Response:
    """End the conversation: the bot answers the resident again and they are told."""
    await visible_chat(page, chat_id)
    try:
        await chats.close(page.session, clock=page.ctx.clock, chat_id=chat_id, staff=page.staff)
    except DomainError as error:
        return await refused(page, chat_id, error)
    return page.redirect(f"/inbox/{chat_id}")
