"""Pages run only the open tab (ui/tabs.py): on every tabbed page a closed tab's widgets are
not in the page, opening the tab draws them (and closes the first), and the tab stays
open over the runs that follow. The elders page's write that changes a count is in
test_elder_pages; the dashboard's reads of chart frames in test_dashboard_pages."""

import pytest

from tests.conftest import app_test
from tests.pages.conftest import open_tab

# page, who, tabs key, the first tab's widget, another tab, that tab's widget (key prefixes;
# the elders' first tab, the overdue list, has no widget: see test_elder_pages)
PAGES = [
    ("elders", "shuji", "elders_tab", None, "老人名册", "elders_search"),
    ("dashboard", "admin", "dashboard_tab", "dashboard_png_", "社区对比", "dashboard_compare"),
    ("proxy_board", "dazhao", "proxy_tab", "proxy_pick", "受理新代办", "proxy_merchant"),
    ("events", "shuji", "events_tab", "events_pick", "新建活动", "events_title"),
    ("volunteers", "admin", "volunteers_tab", "volunteers_pick", "星级标准", "volunteers_star_"),
    ("teams", "shuji", "teams_tab", "teams_pick", "新建服务队", "teams_name"),
    ("merchants", "shuji", "merchants_tab", "merchants_pick", "登记商户", "merchants_shop"),
    ("tasks", "shuji", "tasks_tab", "tasks_pick", "发布新任务", "tasks_title"),
    ("organisation", "admin", "org_tab", "org_pick_community", "政策标准", "org_tier_days_"),
]


def _keys(at) -> set[str]:
    widgets = [*at.text_input, *at.selectbox, *at.toggle, *at.number_input, *at.button]
    widgets += at.get("download_button")
    return {w.key for w in widgets if w.key}


def _drawn(at, prefix: str) -> bool:
    return any(key.startswith(prefix) for key in _keys(at))


@pytest.mark.parametrize(
    ("page", "who", "key", "first_widget", "other", "other_widget"),
    PAGES,
    ids=[p[0] for p in PAGES],
)
def test_a_closed_tab_is_not_drawn_until_opened(
    demo_engine, page, who, key, first_widget, other, other_widget
):
    at = app_test(demo_engine, who, f"views/{page}.py")
    assert not at.exception
    first = at.tabs[0].label
    assert at.session_state[key] == first
    assert first_widget is None or _drawn(at, first_widget)
    assert not _drawn(at, other_widget)
    open_tab(at, key, other)
    assert not at.exception
    assert _drawn(at, other_widget)
    assert first_widget is None or not _drawn(at, first_widget)
    at.run()  # a run of its own (a filter, a press) keeps the tab open
    assert at.session_state[key] == other and _drawn(at, other_widget)


def test_switching_the_language_keeps_the_open_tab(demo_engine):
    """The tabs' labels change with the language (and so the widget): the same tab stays
    open, not the first."""
    at = app_test(demo_engine, "shuji", "views/elders.py")
    open_tab(at, "elders_tab", "老人名册")
    assert _drawn(at, "elders_search")
    at.session_state["ui_lang"] = "en"
    at.run()
    assert not at.exception
    assert at.session_state["elders_tab"] == "Registry"
    assert _drawn(at, "elders_search")
