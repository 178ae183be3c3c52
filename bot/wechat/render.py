"""Choices as numbered lines ("回复 1 报修"), since a WeChat text message has no buttons."""

from __future__ import annotations

from locales import N_, Translator

LINE = N_("Reply {n}: {label}")


def as_text(text: str, choices: list[dict[str, str]], locale: str | None) -> str:
    if not choices:
        return text
    t = Translator(locale)
    return text + "\n" + "\n".join(t(LINE, n=i, label=c["label"]) for i, c in enumerate(choices, start=1))


def choice_for(text: str, last_choices: list[dict[str, str]] | None) -> str | None:
    """The payload of the numbered line a resident replied with ("2"), or None."""
    number = text.strip().rstrip(".。、")
    if last_choices and number.isdigit() and 1 <= int(number) <= len(last_choices):
        return last_choices[int(number) - 1]["payload"]
    return None
