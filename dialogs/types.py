"""What goes into and out of a conversation, whatever the channel, and reading what an event carries."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Event:
    """Something the resident did: typed text, tapped a choice, sent a photo, shared a contact, sent a /command."""

    kind: str  # text | choice | photo | contact | command
    text: str | None = None
    payload: str | None = None
    attachment_id: int | None = None
    phone: str | None = None
    command: str | None = None
    locale_hint: str | None = None  # the channel's idea of the language (Telegram's language_code)
    client_address: str | None = None  # the sender's network address where the channel has one (web chat)
    offer: int | None = None  # the conversation version that offered the choice tapped (web chat), see Reply

    @classmethod
    def of_text(cls, text: str, **kw) -> Event:
        return cls(kind="text", text=text, **kw)

    @classmethod
    def of_choice(cls, payload: str, **kw) -> Event:
        return cls(kind="choice", payload=payload, **kw)


@dataclass(frozen=True)
class Choice:
    label: str
    payload: str


@dataclass
class Reply:
    """A message to the resident; each channel renders choices natively (buttons, keyboards, numbered lines)."""

    text: str
    choices: list[Choice] = field(default_factory=list)
    request_photo: bool = False
    request_contact: bool = False
    photos: list[int] = field(default_factory=list)  # attachment ids shown with the text (thumbnails on the web)
    # The conversation's version after the turn that offered these choices (set by the engine): a choice sent
    # back with an older offer is stale and refused. None for replies without choices and for queued messages.
    offer: int | None = None

    def as_dict(self) -> dict:
        return {
            "text": self.text,
            "choices": [{"label": c.label, "payload": c.payload} for c in self.choices],
            "request_photo": self.request_photo,
            "request_contact": self.request_contact,
            "photos": list(self.photos),
        } | ({"offer": self.offer} if self.offer is not None else {})


def text_of(event: Event) -> str:
    return (event.text or "").strip() if event.kind == "text" else ""


def number_choice(event: Event, prefix: str) -> str | None:
    """The value of a choice payload `prefix:<value>`, or None."""
    if event.kind == "choice" and event.payload and event.payload.startswith(prefix + ":"):
        return event.payload[len(prefix) + 1 :]
    return None
