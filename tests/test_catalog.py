"""The gettext catalog: every string used in the code is translated in every locale, and none is rude."""

from __future__ import annotations

from estate.tickets.phrases import find_forbidden
from locales import LOCALES, load_catalog
from locales.extract import extract_msgids, missing


def test_every_msgid_is_translated_in_every_locale():
    msgids = extract_msgids()
    assert len(msgids) > 200  # the extractor really found the project's strings
    gaps = {loc: missing(loc, msgids) for loc in LOCALES}
    assert gaps == {loc: {} for loc in LOCALES}


def test_the_check_notices_a_missing_translation(tmp_path):
    msgids = {"A sentence nobody translated": "nowhere.py:1"}
    assert missing("zh_CN", msgids) == msgids


def test_no_translation_contains_a_forbidden_phrase():
    offenders = {}
    for loc in LOCALES:
        for message in load_catalog(loc):
            if not message.id:
                continue
            strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
            for text in strings:
                found = find_forbidden(text or "")
                if found:
                    offenders[(loc, message.id)] = [m.phrase for m in found]
    assert offenders == {}


def test_the_forbidden_check_would_catch_one():
    assert [m.phrase for m in find_forbidden("要下班了，有事明天再来")] == ["要下班了，有事明天再来"]
