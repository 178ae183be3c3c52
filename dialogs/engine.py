"""The conversation engine: (conversation state, inbound event) -> (new state, replies), one turn at a time.

`handle` loads the chat's conversation (`dialogs.conversations`), closes it when it went idle or its
resident is no longer bound, sends the event where it belongs (`dialogs.routing`), moves to the step the
handler named and stores the result.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

import dialogs.flows  # noqa: F401  (declares the flows)
from dialogs.base import STAY, Go
from dialogs.conversations import Draft, conversation_of, locale_of, save
from dialogs.registry import FLOWS, LASTING
from dialogs.routing import not_understood, route
from dialogs.steps import Bind, Menu
from dialogs.turn import Turn
from dialogs.types import Event, Reply
from estate.core.context import Context
from estate.messaging.models import ChannelAccount, Conversation
from estate.residents.models import Resident
from locales import N_, Translator, normalize_locale

IDLE = timedelta(days=1)
EXPIRED = N_(
    "Our previous conversation was idle for a day, so it has been closed. Anything you had confirmed is safe with us."
)
NEEDS_BINDING = N_("Please bind this chat to your home first, so that we know who you are.")
NO_LONGER_BOUND = N_("This chat is no longer bound to a home, so what you were looking at has been closed.")
STALE = N_("That choice is no longer current. Here is where we are:")


async def handle(
    session: AsyncSession,
    *,
    ctx: Context,
    account: ChannelAccount,
    event: Event,
    conversation: Conversation | None = None,
) -> list[Reply]:
    """Run one inbound event through the resident's conversation and return the replies, translated.

    `conversation` is the account's row when the caller read it already (locked, on PostgreSQL)."""
    now = ctx.clock.now()
    conv = conversation if conversation is not None else await conversation_of(session, account, now)
    resident = await session.get(Resident, account.resident_id) if account.resident_id else None
    if resident is not None and not resident.active:
        resident = None
    turn = Turn(
        session=session,
        ctx=ctx,
        account=account,
        resident=resident,
        t=Translator(locale_of(account, resident, event.locale_hint)),
        data=Draft(conv.data or {}),
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
        return save(conv, turn, "menu", "start", now)
    if flow_name != "menu" and now - conv.updated_at > IDLE:
        turn.say(turn.t(EXPIRED))
        turn.data.clear()
        flow_name, step_name = "menu", "start"
        if event.kind in ("choice", "photo"):  # a tap on an old button: start afresh
            await _enter(turn, Go(Menu.START))
            return save(conv, turn, "menu", "start", now)
    if event.kind == "choice" and event.offer not in (None, conv.version) and event.payload not in LASTING:
        # A button of an earlier message (a double tap, or an old one after a reload): act on nothing.
        turn.say(turn.t(STALE))
        await FLOWS[flow_name].steps[step_name].prompt(turn)
        return save(conv, turn, flow_name, step_name, now)
    flow_name, step_name = await _move(turn, flow_name, step_name, event)
    return save(conv, turn, flow_name, step_name, now)


async def _move(turn: Turn, flow_name: str, step_name: str, event: Event) -> tuple[str, str]:
    """Handle the event at this step and go where the handler says, keeping the trail Back follows."""
    go = await route(turn, flow_name, step_name, event)
    if go is None:
        go = await not_understood(turn, flow_name, step_name, event)
    if go is None or go is STAY or go.flow == "":
        return flow_name, step_name
    if go.flow != flow_name or go.step == "start":  # a flow entered afresh: no trail, no earlier draft
        turn.data.pop("_back", None)
        _fresh_draft(turn)
    elif turn.data.pop("_going_back", False):
        pass
    else:
        turn.data.setdefault("_back", []).append(step_name)
    turn.data.pop("_going_back", None)  # Back to a flow's start step leaves no flag for the next move
    return await _enter(turn, go)


def _fresh_draft(turn: Turn) -> None:
    """Drop the draft of the flow left (keys without "_"), keeping what this turn's handler set for the
    flow it enters (the words that started it, or what binding resumes with)."""
    written = turn.data.written if isinstance(turn.data, Draft) else set()
    for key in [k for k in turn.data if not k.startswith("_") and k not in written]:
        del turn.data[key]


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
