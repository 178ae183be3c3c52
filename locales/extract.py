"""Finds every translatable string in the code, for the catalog tests and for translators.

Extracted calls: `_("…")`, `gettext("…")`, `ngettext("…", "…", n)`, `N_("…")`, `t("…")` and
`t.n("…", "…", n)` (a `locales.Translator` is conventionally bound to `t`), and `{{ _("…") }}` in
the console's and web chat's Jinja2 templates.

Run `python -m locales.extract` to list the msgids that a locale does not translate yet.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.extract import extract_from_dir

from locales import LOCALES, load_catalog

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("estate", "dialogs", "bot", "console", "desk")
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None, "t": None, "n": (1, 2)}


def extract_msgids(root: Path = ROOT) -> dict[str, str]:
    """msgid -> the first place it is used (file:line)."""
    found: dict[str, str] = {}
    method_map = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
    options = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    for package in PACKAGES:
        folder = root / package
        if not folder.exists():
            continue
        try:
            messages = extract_from_dir(
                str(folder), method_map=method_map, options_map=options, keywords=KEYWORDS
            )
        except ValueError:  # no jinja2 extractor available: Python only
            messages = extract_from_dir(str(folder), method_map=[("**.py", "python")], keywords=KEYWORDS)
        for filename, lineno, message, _comments, _context in messages:
            ids = message if isinstance(message, tuple) else (message,)
            for msgid in ids:
                if msgid:
                    found.setdefault(msgid, f"{package}/{filename}:{lineno}")
    return found


def missing(locale: str, msgids: dict[str, str]) -> dict[str, str]:
    """The msgids the locale's catalog does not translate (absent or empty msgstr)."""
    catalog = load_catalog(locale)
    out = {}
    for msgid, where in msgids.items():
        message = catalog.get(msgid)
        strings = message.string if message is not None else None
        if isinstance(strings, tuple | list):
            ok = all(strings)
        else:
            ok = bool(strings)
        if not ok:
            out[msgid] = where
    return out


if __name__ == "__main__":
    ids = extract_msgids()
    status = 0
    for loc in LOCALES:
        for msgid, where in missing(loc, ids).items():
            print(f"{loc}\t{where}\t{msgid!r}")
            status = 1
    sys.exit(status)
