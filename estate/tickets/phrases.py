"""Standard phrases (规范用语) offered as canned replies, and forbidden phrases (服务忌语) refused.

Both lists come from seed 002. The standard phrases are gettext msgids so that each console language
offers them; the forbidden phrases and their polite alternatives are data (`data/phrases.toml`).
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from locales import N_, Translator, normalize_locale

STANDARD_PHRASES: tuple[str, ...] = (
    N_("Hello!"),
    N_("Hello! This is the {estate} customer service centre. How may I help you?"),
    N_("Thank you!"),
    N_("I am sorry!"),
    N_("You are welcome!"),
    N_("Goodbye!"),
    N_("One moment, please!"),
    N_("Yes, sir / madam."),
    N_("May I ask whom you are looking for?"),
    N_("Is there anything I can help you with?"),
    N_("Please do not worry!"),
    N_("Please contact the department concerned; we will pass your message on."),
    N_("Could you leave us your phone number and name, please?"),
    N_("We will help you!"),
    N_("Please fill in the complaint form!"),
    N_("Thank you for your criticism and suggestions!"),
    N_("It is our pleasure!"),
    N_("Thank you for contacting us!"),
    N_("Sorry to disturb you!"),
    N_(
        "We will deal with the problem you reported right away and reply to you as soon as possible, all right?"
    ),
)


def standard_phrases(locale: str | None, *, estate: str) -> list[str]:
    """The 20 standard phrases in the given language, with the estate's name filled in."""
    t = Translator(locale)
    return [t(p, estate=estate) if "{estate}" in p else t(p) for p in STANDARD_PHRASES]


@dataclass(frozen=True)
class ForbiddenPhrase:
    forms: tuple[str, ...]  # simplified and traditional
    standalone: bool
    alternatives: dict[str, str]

    def alternative(self, locale: str | None) -> str:
        return self.alternatives[normalize_locale(locale)]


@dataclass(frozen=True)
class ForbiddenMatch:
    phrase: str  # the form found, as written in the list
    start: int  # position in the original text
    end: int
    alternative: str


@cache
def forbidden_phrases() -> tuple[ForbiddenPhrase, ...]:
    """The 13 forbidden phrases of seed 002 (with 急什么 also on its own), from `data/phrases.toml`."""
    raw = tomllib.loads((Path(__file__).parents[1] / "data" / "phrases.toml").read_text(encoding="utf-8"))
    return tuple(
        ForbiddenPhrase(
            forms=tuple(dict.fromkeys((row["zh_CN"], row["zh_TW"]))),
            standalone=bool(row.get("standalone", False)),
            alternatives={"zh_CN": row["alt_zh_CN"], "zh_TW": row["alt_zh_TW"], "en": row["alt_en"]},
        )
        for row in raw["forbidden"]
    )


def _is_skippable(ch: str) -> bool:
    return (
        ch.isspace() or unicodedata.category(ch).startswith("P") or unicodedata.category(ch).startswith("S")
    )


def _squeeze(text: str) -> tuple[str, list[int]]:
    """Text without spaces and punctuation, and for each kept character its index in the original."""
    kept: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        if not _is_skippable(ch):
            kept.append(ch)
            index.append(i)
    return "".join(kept), index


_CJK = re.compile(r"[\u3400-\u9fff]")


def find_forbidden(text: str, *, locale: str | None = None) -> list[ForbiddenMatch]:
    """Every forbidden phrase in `text`, ignoring spaces and punctuation; longest phrases win overlaps."""
    squeezed, index = _squeeze(text)
    found: list[ForbiddenMatch] = []
    taken: set[int] = set()
    candidates = sorted(
        ((form, phrase) for phrase in forbidden_phrases() for form in phrase.forms),
        key=lambda fp: -len(_squeeze(fp[0])[0]),
    )
    for form, phrase in candidates:
        needle = _squeeze(form)[0]
        for m in re.finditer(re.escape(needle), squeezed):
            positions = set(range(m.start(), m.end()))
            if positions & taken:
                continue
            start, end = index[m.start()], index[m.end() - 1] + 1
            if phrase.standalone and not _standalone(text, start, end):
                continue
            taken |= positions
            found.append(
                ForbiddenMatch(phrase=form, start=start, end=end, alternative=phrase.alternative(locale))
            )
    return sorted(found, key=lambda f: f.start)


def _standalone(text: str, start: int, end: int) -> bool:
    """True when no Chinese character follows the match: 喂！ and 喂 你好 count, 喂养 and 喂猫 do not."""
    after = text[end] if end < len(text) else ""
    return after == "" or not _CJK.match(after)
