"""The gettext catalog shared by dialogs, channels, console and reminders: zh_CN (default), zh_TW, en.

Each locale folder holds several `.po` files (one per part of the product, so that parts can be
translated side by side); they are merged into one catalog per locale when first used. The `.po`
files are the only source: they are compiled in memory, so no stale `.mo` can ever be served.
"""

from __future__ import annotations

import gettext as _gettext
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

HERE = Path(__file__).parent
LOCALES: tuple[str, ...] = ("zh_CN", "zh_TW", "en")
DEFAULT_LOCALE = "zh_CN"
DOMAIN = "messages"


def normalize_locale(value: str | None) -> str:
    """Map a language tag (zh-hans, zh-Hant-TW, en-US, zh_HK …) onto a supported locale."""
    if not value:
        return DEFAULT_LOCALE
    tag = value.replace("-", "_").lower()
    if tag.startswith("zh"):
        if any(part in tag for part in ("tw", "hk", "mo", "hant")):
            return "zh_TW"
        return "zh_CN"
    if tag.startswith("en"):
        return "en"
    return DEFAULT_LOCALE


def po_files(locale: str) -> list[Path]:
    return sorted((HERE / locale / "LC_MESSAGES").glob("*.po"))


def load_catalog(locale: str) -> Catalog:
    """All `.po` files of a locale merged into one Babel catalog."""
    merged = Catalog(locale=locale, domain=DOMAIN)
    for path in po_files(locale):
        with path.open("rb") as fh:
            part = read_po(fh, locale=locale)
        for message in part:
            if message.id:
                merged[message.id] = message
    return merged


@cache
def translations(locale: str) -> _gettext.NullTranslations:
    """A GNU translations object for the locale, compiled in memory from its `.po` files."""
    catalog = load_catalog(normalize_locale(locale))
    buf = BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return _gettext.GNUTranslations(buf)


def gettext(locale: str | None, message: str) -> str:
    return translations(normalize_locale(locale)).gettext(message)


def ngettext(locale: str | None, singular: str, plural: str, n: int) -> str:
    return translations(normalize_locale(locale)).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Marks a string for extraction where it is translated later (at the point of use)."""
    return message


class Translator:
    """Bound to one locale: `t = Translator("en"); t("Hello")`."""

    def __init__(self, locale: str | None) -> None:
        self.locale = normalize_locale(locale)
        self._t = translations(self.locale)

    def __call__(self, message: str, **params: object) -> str:
        text = self._t.gettext(message)
        return text.format(**params) if params else text

    def n(self, singular: str, plural: str, n: int, **params: object) -> str:
        text = self._t.ngettext(singular, plural, n)
        return text.format(n=n, **params)
