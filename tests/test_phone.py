"""The phone's links and choices as plain functions: tap-to-call (never for a masked
phone), map links (the place URL-encoded), the remembered language, the queue filters."""

from dataclasses import dataclass
from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest

from services import queue_filters
from ui import phone
from ui.i18n import LANG_COOKIE, remembered_lang


@pytest.mark.parametrize(
    ("shown", "markdown"),
    [
        ("13904711234", "[13904711234](tel:13904711234)"),
        (" 0471-6951234 ", r"[0471\-6951234](tel:04716951234)"),
        ("+86 139 0471 1234", r"[\+86 139 0471 1234](tel:+8613904711234)"),
        ("139****1234", r"139\*\*\*\*1234"),  # masked: text, never a link
        ("****34", r"\*\*\*\*34"),
        ("", ""),
        ("见备注", "见备注"),  # not a number
        ("](javascript:alert(1))", r"\]\(javascript\:alert\(1\)\)"),
    ],
)
def test_call_link(shown, markdown):
    assert phone.call_link(shown) == markdown


def test_map_url_encodes_the_place_and_its_area():
    url = phone.map_url("学府康都 5号楼(东门) & 活动室", "赛罕区")
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://uri.amap.com/search"
    assert parse_qs(parts.query) == {
        "keyword": ["学府康都 5号楼(东门) & 活动室"],
        "city": ["赛罕区"],
    }
    assert parts.query.count("&") == 1  # the place's own & is encoded
    for raw in " ()[]":
        assert raw not in parts.query  # nothing that ends a Markdown link
    assert (
        phone.map_url("活动室") == "https://uri.amap.com/search?keyword=%E6%B4%BB%E5%8A%A8%E5%AE%A4"
    )


def test_map_link_escapes_the_place(monkeypatch):
    monkeypatch.setattr(phone, "t", lambda key: {"phone.map": "地图"}[key])
    assert phone.map_link("*活动室*", "赛罕区") == (
        r"\*活动室\* [地图](https://uri.amap.com/search?keyword=%2A%E6%B4%BB%E5%8A%A8%E5%AE%A4"
        r"%2A&city=%E8%B5%9B%E7%BD%95%E5%8C%BA)"
    )
    assert phone.map_link("  ") == "  "  # no place, no link


@pytest.mark.parametrize(
    ("cookies", "chosen"),
    [({}, "zh_CN"), ({LANG_COOKIE: "en"}, "en"), ({LANG_COOKIE: "fr"}, "zh_CN")],
)
def test_the_language_comes_from_the_cookie(cookies, chosen):
    assert remembered_lang(cookies) == chosen


@dataclass(frozen=True)
class _Card:
    due_on: date
    overdue: bool


def test_queue_filters_and_counts():
    today = date(2026, 12, 6)
    late = _Card(date(2026, 12, 1), True)
    due = _Card(today, False)
    later = _Card(date(2026, 12, 9), False)
    cards = [late, due, later]
    assert queue_filters.queue_counts(cards, today) == {"all": 3, "overdue": 1, "today": 1}
    assert queue_filters.queue_filter(cards, "overdue", today) == [late]
    assert queue_filters.queue_filter(cards, "today", today) == [due]
    assert queue_filters.queue_filter(cards, "all", today) == cards


def test_the_script_cannot_be_closed_by_its_data(monkeypatch):
    monkeypatch.setattr(phone, "t", lambda key, **params: "</script><b>")
    script = phone.phone_script("zh_CN")
    assert script.count("</script>") == 1 and script.endswith("</script>")
    assert "inputmode" in script and phone.PHONE_INPUTS.replace('"', '\\"') in script
