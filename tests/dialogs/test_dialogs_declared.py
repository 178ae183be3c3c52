"""Flows are declared as data: every step a transition can name exists, checked when the flows load."""

from __future__ import annotations

import pytest
from sqlalchemy import select

import dialogs.flows  # noqa: F401  (declares and checks every flow)
from dialogs import steps
from dialogs.base import Entry, FlowError, Go, Step, Steps
from dialogs.registry import COMMANDS, ENTRIES, FLOWS, check_flows, entry_for, flow
from dialogs.routing import NOT_UNDERSTOOD
from dialogs.turn import Turn
from dialogs.types import Event
from estate.tickets.models import Ticket
from estate.tickets.progress import resolve_ticket
from tests.support.dialogs import bound_chat, tr, world_with_catalogue


async def _prompt(turn: Turn) -> None:
    return None


async def _handle(turn: Turn, event: Event) -> Go | None:
    return None


STEP = Step(_prompt, _handle)


def declared_sets() -> list[type[Steps]]:
    return [
        v for v in vars(steps).values() if isinstance(v, type) and issubclass(v, Steps) and v is not Steps
    ]


def test_every_declared_step_set_is_a_flow_with_all_its_steps():
    sets = declared_sets()
    check_flows(step_sets=sets)
    assert {cls.flow_name for cls in sets} == set(FLOWS)
    for cls in sets:
        assert set(FLOWS[cls.flow_name].steps) == {m.value for m in cls}


def test_a_step_without_its_handler_fails_at_load():
    class Half(Steps, flow="test_half"):
        START = "start"
        NEXT = "next"

    with pytest.raises(FlowError, match="no Step for \\['next'\\]"):
        flow(Half, {Half.START: STEP})
    assert "test_half" not in FLOWS


def test_a_step_of_another_flow_fails_at_load():
    class Mine(Steps, flow="test_mine"):
        START = "start"

    with pytest.raises(FlowError, match="not members of Mine"):
        flow(Mine, {Mine.START: STEP, steps.Repair.LOCATION: STEP})
    assert "test_mine" not in FLOWS


def test_a_step_set_whose_flow_was_never_declared_fails_the_load_check():
    class Orphan(Steps, flow="test_orphan"):
        START = "start"

    with pytest.raises(FlowError, match="Orphan"):
        check_flows(step_sets=[*declared_sets(), Orphan])


def test_a_transition_to_an_undeclared_target_fails():
    with pytest.raises(FlowError):
        Go("repair", "location")  # type: ignore[arg-type]  # the old, unchecked form
    with pytest.raises(AttributeError):
        Go(steps.Repair.LOCATON)  # type: ignore[attr-defined]
    go = Go(steps.Repair.LOCATION)
    assert (go.flow, go.step) == ("repair", "location")


def test_a_payload_prefix_starts_one_flow_only():
    class Rival(Steps, flow="test_rival"):
        START = "start"

    with pytest.raises(FlowError, match="survey"):
        flow(Rival, {Rival.START: STEP}, starts_from={"survey": Entry(_handle)})
    assert "test_rival" not in FLOWS


def test_flows_declare_the_payloads_they_start_from():
    assert set(ENTRIES) == {"survey", "menu", "intent"}
    assert FLOWS["survey"].entries["survey"] is entry_for("survey:12:overall:5")
    assert entry_for("survey:12:overall:9") is None  # malformed: left to the step, as any other choice
    assert entry_for("menu:repair") is FLOWS["menu"].entries["menu"]
    assert entry_for("intent:fees") is FLOWS["menu"].entries["intent"]
    assert entry_for("nav:back") is None
    assert entry_for("menu") is None


def test_flows_declare_their_commands_and_one_command_opens_one_flow():
    assert {name: go.flow_name for name, go in COMMANDS.items()} == {
        "start": "menu",
        "menu": "menu",
        "help": "help",
        "lang": "lang",
        "language": "lang",
        "bind": "bind",
    }

    class Other(Steps, flow="test_other"):
        START = "start"

    with pytest.raises(FlowError, match="help"):
        flow(Other, {Other.START: STEP}, commands=("help",))
    assert "test_other" not in FLOWS and COMMANDS["help"].flow_name == "help"


async def test_a_declared_entry_starts_its_flow_from_the_middle_of_another(ctx):
    world = await world_with_catalogue(ctx, ctx.clock.now())
    chat = await bound_chat(ctx, world, locale="en")
    await chat.tap("menu:feedback")
    await chat.tap("fb:inquiry")
    await chat.text("When is the water tank cleaned?")
    async with ctx.sessions() as s, s.begin():
        ticket = (await s.execute(select(Ticket))).scalar_one()
        await resolve_ticket(
            s, clock=ctx.clock, ticket_id=ticket.id, staff_id=world.staff["agent"].id, result="Saturday."
        )
    await chat.tap("menu:repair")
    await chat.tap("cat:plumbing")  # now at the repair's location step
    replies = await chat.tap(f"survey:{ticket.id}:overall:9")  # not a survey button: the step's fallback
    assert replies[0].text == tr("en", NOT_UNDERSTOOD)
    replies = await chat.tap(f"survey:{ticket.id}:overall:4")
    assert replies[0].text == tr(
        "en",
        "How satisfied are you with how quickly we dealt with it? (1 = very dissatisfied, 5 = very satisfied)",
    )
    replies = await chat.tap("menu:fees")  # a menu choice left on screen still does what it says
    assert replies[0].text.startswith(tr("en", "Fees of {unit}", unit=world.unit.code))
