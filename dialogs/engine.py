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
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import flag_modified

import dialogs.flows  # noqa: F401  (declares the flows)
from dialogs.base import COMMANDS, FLOWS, STAY, Go, entry_for, text_of
from dialogs.choices import BACK, CANCEL, MENU
from dialogs.flows import emergency
from dialogs.steps import Bind, Human, Menu, Tickets
from dialogs.turn import Turn
from dialogs.types import Choice, Event, Reply
from dialogs.understand import (
    GLOBAL_CONFIDENCE,
    INTENT_LABELS,
    INTENT_PAYLOAD,
    PROGRESS_CONFIDENCE,
    is_short,
    match_choice,
    understand,
)
from estate.core.context import Context
from estate.core.db import insert_for
from estate.messaging.models import ChannelAccount, Conversation
from estate.residents.codes import looks_like_code
from estate.residents.models import Resident
from locales import N_, Translator, normalize_locale

IDLE = timedelta(days=1)
NOT_UNDERSTOOD = N_("Sorry, I did not understand that.")
EXPIRED = N_(
    "Our previous conversation was idle for a day, so it has been closed. Anything you had confirmed is safe with us."
)
NEEDS_BINDING = N_("Please bind this chat to your home first, so that we know who you are.")
NO_LONGER_BOUND = N_("This chat is no longer bound to a home, so what you were looking at has been closed.")
DID_YOU_MEAN = N_("Did you mean this?")
CANCELLED = N_("Cancelled. Nothing was sent.")


async def _conversation(session: AsyncSession, account: ChannelAccount, now) -> Conversation:
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = insert_for(session)
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
    owner = turn.data.get("_resident")
    if FLOWS[flow_name].needs_binding and (resident is None or (owner is not None and owner != resident.id)):
        # Unbound (or bound to someone else) since the flow began: show nothing more of it.
        turn.data.clear()
        turn.say(turn.t(NO_LONGER_BOUND))
        await _enter(turn, Go(Menu.START))
        return _save(conv, turn, "menu", "start", now)
    if flow_name != "menu" and now - conv.updated_at > IDLE:
        turn.say(turn.t(EXPIRED))
        turn.data.clear()
        flow_name, step_name = "menu", "start"
        if event.kind in ("choice", "photo"):  # a tap on an old button: start afresh
            await _enter(turn, Go(Menu.START))
            return _save(conv, turn, "menu", "start", now)

    go = await _route(turn, flow_name, step_name, event)
    if go is None:
        go = await _not_understood(turn, flow_name, step_name, event)
    if go is None or go is STAY or go.flow == "":
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
        # Keep what the resident has said so far: after binding they continue where they were.
        kept = {k: v for k, v in turn.data.items() if not k.startswith("_")}
        turn.data.clear()
        turn.data["_resume"] = {"flow": go.flow, "step": go.step, "data": kept}
        turn.say(turn.t(NEEDS_BINDING))
        target, go = FLOWS[Bind.flow_name], Go(Bind.START)
    elif target.needs_binding and turn.resident is not None:
        turn.data["_resident"] = turn.resident.id
    if go.prompt:
        await target.steps[go.step].prompt(turn)
    return target.name, go.step


async def _route(turn: Turn, flow_name: str, step_name: str, event: Event) -> Go | None:
    """Commands, shared choices and the global intents first (they work at every step), then the step."""
    if event.kind == "command":
        name = (event.command or "").lstrip("/").split("@")[0].lower()
        return Go(COMMANDS[name]) if name in COMMANDS else None
    if event.kind == "choice":
        if event.payload == CANCEL and flow_name != "emergency":
            turn.say(turn.t(CANCELLED))
            return Go(Menu.START)
        if event.payload == MENU and flow_name != "emergency":
            return Go(Menu.START)
        if event.payload == BACK:
            back: list[str] = turn.data.get("_back", [])
            if back:
                turn.data["_going_back"] = True
                return Go(FLOWS[flow_name].at(back.pop()))
            return Go(Menu.START)
        entry = entry_for(event.payload)  # a payload some flow starts from (the survey, the menu's choices)
        if entry is not None:
            return await entry.handle(turn, event)
    text = text_of(event)
    if text and not (turn.resident is None and looks_like_code(text)):  # a binding code is not words
        found = await understand(turn, text)
        if found.urgent:
            return await emergency.record(turn, found)
        if (
            flow_name not in ("menu", "emergency")
            and is_short(text)
            and found.confidence >= GLOBAL_CONFIDENCE
        ):
            if found.intent == "cancel":
                turn.say(turn.t(CANCELLED))
                return Go(Menu.START)
            if found.intent == "human":
                return Go(Human.START)
        # "Where is my repair?" asked in the middle of something else: show the resident's requests.
        progress = found.intent == "tickets" and found.confidence >= PROGRESS_CONFIDENCE
        if progress and flow_name not in ("menu", "emergency", "tickets"):
            return Go(Tickets.START)
    return await FLOWS[flow_name].steps[step_name].handle(turn, event)


async def _not_understood(turn: Turn, flow_name: str, step_name: str, event: Event) -> Go | None:
    """Typed words the step did not take: one of its choices by name, another intent, or its prompt again."""
    text = text_of(event)
    step = FLOWS[flow_name].steps[step_name]
    if text:
        payload = match_choice(text, turn.data.get("_choices", []))
        if payload is not None:
            go = await _route(turn, flow_name, step_name, Event.of_choice(payload))
            if go is not None:
                return go
        found = await understand(turn, text)
        turn.say(turn.t(NOT_UNDERSTOOD))
        await step.prompt(turn)
        if (
            found.intent in INTENT_LABELS
            and found.intent != flow_name
            and found.confidence >= GLOBAL_CONFIDENCE
        ):
            turn.data["_said"] = text
            turn.say(
                turn.t(DID_YOU_MEAN),
                [Choice(turn.t(INTENT_LABELS[found.intent]), f"{INTENT_PAYLOAD}:{found.intent}")],
            )
        return None
    turn.say(turn.t(NOT_UNDERSTOOD))
    await step.prompt(turn)
    return None


def _save(conv: Conversation, turn: Turn, flow_name: str, step_name: str, now: Any) -> list[Reply]:
    offered = {c.payload: c.label for r in turn.replies for c in r.choices}
    if offered:  # remembered so that typed words can pick a choice by its label next turn
        turn.data["_choices"] = [[label, payload] for payload, label in offered.items()]
    conv.flow, conv.step = flow_name, step_name
    conv.data = copy.deepcopy(turn.data)
    flag_modified(conv, "data")  # nested lists change in place; make sure the JSON is written
    conv.updated_at = now
    conv.version += 1
    return turn.replies
