"""The flows declared (`flow()` registers one), the payload prefixes and /commands that start them, and
`check_flows()`, run once they are all imported, so that every `Go` target a handler can name exists."""

from __future__ import annotations

from dialogs.base import Entry, Flow, FlowError, Step, Steps

FLOWS: dict[str, Flow] = {}
ENTRIES: dict[str, Entry] = {}  # payload prefix -> where it starts, over every flow
COMMANDS: dict[str, Steps] = {}  # "/help" and the like -> the start of its flow
# Choices that stay current however many turns pass since they were shown (ending a live chat: the resident
# types to the agent for a while and then taps the button shown at the start); acting on them twice is harmless.
LASTING: set[str] = set()


def flow(
    at: type[Steps],
    steps: dict[Steps, Step],
    *,
    needs_binding: bool = True,
    starts_from: dict[str, Entry] | None = None,
    commands: tuple[str, ...] = (),
) -> Flow:
    """Declare a flow: one Step for each member of its Steps enum (entered at START where it has one), the
    payload prefixes that start it from anywhere, and the /commands that open it."""
    name = at.flow_name
    if not name:
        raise FlowError(f"{at.__name__} names no flow (class {at.__name__}(Steps, flow=...))")
    if name in FLOWS and FLOWS[name].at is not at:
        raise FlowError(f"flow {name!r} is declared twice")
    strays = [str(key) for key in steps if not (isinstance(key, Steps) and key in at)]
    if strays:
        raise FlowError(f"flow {name!r}: steps {strays} are not members of {at.__name__}")
    missing = [member.value for member in at if member not in steps]
    if missing:
        raise FlowError(f"flow {name!r}: no Step for {missing}")
    entries = dict(starts_from or {})
    mine = FLOWS[name].entries if name in FLOWS else {}
    taken = [p for p in entries if p in ENTRIES and p not in mine]
    if taken:
        raise FlowError(f"flow {name!r}: payload prefixes {taken} already start another flow")
    if commands and "start" not in {m.value for m in at}:
        raise FlowError(f"flow {name!r} has commands but no START step")
    clashing = [c for c in commands if c in COMMANDS and COMMANDS[c].flow_name != name]
    if clashing:
        raise FlowError(f"flow {name!r}: commands {clashing} already open another flow")
    FLOWS[name] = Flow(
        name=name,
        at=at,
        steps={member.value: step for member, step in steps.items()},
        needs_binding=needs_binding,
        entries=entries,
        commands=commands,
    )
    ENTRIES.update(entries)
    COMMANDS.update({command: at("start") for command in commands})
    return FLOWS[name]


def check_flows(flows: dict[str, Flow] | None = None, step_sets: list[type[Steps]] | None = None) -> None:
    """Run once the flows are imported: every declared step set has its flow (and each flow's steps were
    checked against its set by `flow()`), so every `Go` target a handler can name exists."""
    flows = FLOWS if flows is None else flows
    sets = _all_steps() if step_sets is None else step_sets
    undeclared = [cls.__name__ for cls in sets if cls.flow_name not in flows]
    if undeclared:
        raise FlowError(f"steps declared for flows that do not exist: {undeclared}")
    doubled = [cls.__name__ for cls in sets if flows[cls.flow_name].at is not cls]
    if doubled:
        raise FlowError(f"two step sets name one flow: {doubled}")


def _all_steps() -> list[type[Steps]]:
    found: list[type[Steps]] = []
    todo = list(Steps.__subclasses__())
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo += cls.__subclasses__()
    return found


def entry_for(payload: str | None) -> Entry | None:
    """The flow entry a choice payload starts, if any."""
    prefix, sep, _ = (payload or "").partition(":")
    entry = ENTRIES.get(prefix) if sep else None
    if entry is None or (entry.accepts is not None and not entry.accepts(payload or "")):
        return None
    return entry
