"""The English catalogue: every translation keeps its msgid's placeholders, the cadre, duty and leadership
strings are all translated, and those modules' pages render in English."""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import polib
import pytest

from tests.conftest import PASSWORD

PO = Path(__file__).resolve().parents[2] / "src" / "jiceng" / "locale" / "en" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\([^)]+\)[-+ #0]*\d*(?:\.\d+)?[sdifr]|%[sd]")
MODULES = ("cadre/", "duty/", "leadership/")


@pytest.fixture(scope="module")
def catalogue():
    return polib.pofile(str(PO))


def _placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def test_every_translation_keeps_its_placeholders(catalogue):
    wrong = [(e.msgid, e.msgstr) for e in catalogue if e.msgstr and _placeholders(e.msgid) != _placeholders(e.msgstr)]
    wrong += [(e.msgid_plural, s) for e in catalogue if e.msgid_plural for s in e.msgstr_plural.values()
              if s and _placeholders(e.msgid_plural) != _placeholders(s)]
    assert wrong == []


def test_no_msgid_is_listed_twice(catalogue):
    counts = Counter((e.msgctxt, e.msgid) for e in catalogue if not e.obsolete)
    assert [k for k, n in counts.items() if n > 1] == []


def test_the_cadre_duty_and_leadership_strings_are_translated(catalogue):
    ours = [e for e in catalogue if any(f.startswith(MODULES) for f, _ in e.occurrences)]
    by_module = Counter(m for e in ours for m in MODULES if any(f.startswith(m) for f, _ in e.occurrences))
    assert all(by_module[m] > 100 for m in MODULES), by_module
    assert [e.msgid for e in ours if not e.msgstr] == []
    assert [e.msgid for e in ours if "fuzzy" in e.flags or e.obsolete] == []


@pytest.mark.parametrize("url, english, chinese", [
    ("/cadre/", ["Cadre work", "Task list"], ["干部工作", "任务清单"]),
    ("/duty/", ["Duty desk"], ["坐班值班", "值班台"]),
    ("/leadership/", ["Teams and reducing grassroots burdens", "Two-committee team", "Four lists"],
     ["班子队伍与基层减负", "两委班子", "四张清单"]),
])
def test_the_pages_render_in_english(district, make_user, client, url, english, chinese):
    from jiceng.cadre.roles import TOWNSHIP_LEADER

    user = make_user(TOWNSHIP_LEADER, district.street)
    client.login(username=user.username, password=PASSWORD)
    client.post("/i18n/setlang/", {"language": "en", "next": url})
    r = client.get(url)
    assert r.status_code == 200
    page = r.content.decode()
    assert 'lang="en"' in page
    assert all(s in page for s in english), [s for s in english if s not in page]
    assert not any(s in page for s in chinese), [s for s in chinese if s in page]
