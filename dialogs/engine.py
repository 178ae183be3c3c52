"""The conversation engine: (conversation state, inbound event) -> (new state, replies).

State lives in the `conversations` table (one row per chat account), so any process can continue any
conversation and a restart loses nothing. On PostgreSQL the row is locked for the turn, so two
updates of one resident handled by two processes at once take turns.
"""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import flag_modified

import dialogs.flows  # noqa: F401  (declares the flows)
from dialogs.base import FLOWS, STAY, Go, Turn
from dialogs.choices import BACK, CANCEL, MENU
from dialogs.flows import survey
from dialogs.types import Event, Reply
from estate.context import Context
from estate.models import ChannelAccount, Conversation, Resident
from locales import N_, Translator, normalize_locale

IDLE = timedelta(days=1)
COMMANDS = {
    "start": "menu",
    "menu": "menu",
    "help": "help",
    "lang": "lang",
    "language": "lang",
    "bind": "bind",
}
NOT_UNDERSTOOD = N_("Sorry, I did not understand that.")
EXPIRED = N_(
    "Our previous conversation was idle for a day, so it has been closed. Anything you had confirmed is safe with us."
)
NEEDS_BINDING = N_("Please bind this chat to your home first, so that we know who you are.")
CANCELLED = N_("Cancelled. Nothing was sent.")


async def _conversation(session: AsyncSession, account: ChannelAccount, now) -> Conversation:
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    await session.execute(
        insert(Conversation)
        .values(channel_account_id=account.id, flow="menu", step="start", data={}, updated_at=now, version=0)
        .on_conflict_do_nothing(index_elements=["channel_account_id"])
    )
    stmt = (
        select(Conversation)
        .where(Conversation.channel_account_id == account.id)
        .execution_options(populate_existing=True)
    )
    if dialect == "postgresql":
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one()


def locale_of(account: ChannelAccount, resident: Resident | None, hint: str | None) -> str:
    """The account's chosen language, else the resident's, else the channel's hint, else zh_CN."""
    return normalize_locale(account.locale or (resident.locale if resident else None) or hint)


async def handle(
    session: AsyncSession, *, ctx: Context, account: ChannelAccount, event: Event
) -> list[Reply]:
    """Run one inbound event through the resident's conversation and return the replies, translated."""
    now = ctx.clock.now()
    conv = await _conversation(session, account, now)
    resident = await session.get(Resident, account.resident_id) if account.resident_id else None
    if resident is not None and not resident.active:
        resident = None
    turn = Turn(
        session=session,
        ctx=ctx,
        account=account,
        resident=resident,
        t=Translator(locale_of(account, resident, event.locale_hint)),
        data=dict(conv.data or {}),
        now=now,
    )
    account.last_inbound_at = now
    if account.locale is None and (resident is None or resident.locale is None) and event.locale_hint:
        # Remember the channel's language, so that messages sent later (status changes, reminders) use it too.
        account.locale = normalize_locale(event.locale_hint)
    flow_name, step_name = conv.flow, conv.step
    if flow_name not in FLOWS or step_name not in FLOWS[flow_name].steps:
        flow_name, step_name = "menu", "start"
    if flow_name != "menu" and now - conv.updated_at > IDLE:
        turn.say(turn.t(EXPIRED))
        turn.data.clear()
        flow_name, step_name = "menu", "start"
        if event.kind in ("choice", "photo"):  # a tap on an old button: start afresh
            await _enter(turn, Go("menu"))
            return _save(conv, turn, "menu", "start", now)

    go = await _route(turn, flow_name, step_name, event)
    if go is None:
        turn.say(turn.t(NOT_UNDERSTOOD))
        await FLOWS[flow_name].steps[step_name].prompt(turn)
        return _save(conv, turn, flow_name, step_name, now)
    if go is STAY or go.flow == "":
        return _save(conv, turn, flow_name, step_name, now)
    if go.flow != flow_name or go.step == "start":
        turn.data.pop("_back", None)
    elif turn.data.pop("_going_back", False):
        pass
    else:
        turn.data.setdefault("_back", []).append(step_name)
    flow_name, step_name = await _enter(turn, go)
    return _save(conv, turn, flow_name, step_name, now)


async def _enter(turn: Turn, go: Go) -> tuple[str, str]:
    """Move to a step (checking the flow may be used unbound) and show its prompt."""
    target = FLOWS[go.flow]
    if target.needs_binding and turn.resident is None:
        turn.say(turn.t(NEEDS_BINDING))
        target, go = FLOWS["bind"], Go("bind")
    if go.prompt:
        await target.steps[go.step].prompt(turn)
    return target.name, go.step


async def _route(turn: Turn, flow_name: str, step_name: str, event: Event) -> Go | None:
    """Commands and shared choices first (they work at every step), then the current step's handler."""
    if event.kind == "command":
        name = (event.command or "").lstrip("/").split("@")[0].lower()
        return Go(COMMANDS[name]) if name in COMMANDS else None
    if event.kind == "choice":
        if event.payload == CANCEL:
            turn.say(turn.t(CANCELLED))
            return Go("menu")
        if event.payload == MENU:
            return Go("menu")
        if event.payload == BACK:
            back: list[str] = turn.data.get("_back", [])
            if back:
                turn.data["_going_back"] = True
                return Go(flow_name, back.pop())
            return Go("menu")
        if survey.start_payload(event.payload) is not None:
            return await survey.begin(turn, event.payload or "")
        if (event.payload or "").startswith("menu:") and flow_name != "menu":
            return await FLOWS["menu"].steps["start"].handle(turn, event)
    return await FLOWS[flow_name].steps[step_name].handle(turn, event)


def _save(conv: Conversation, turn: Turn, flow_name: str, step_name: str, now: Any) -> list[Reply]:
    conv.flow, conv.step = flow_name, step_name
    conv.data = copy.deepcopy(turn.data)
    flag_modified(conv, "data")  # nested lists change in place; make sure the JSON is written
    conv.updated_at = now
    conv.version += 1
    return turn.replies
