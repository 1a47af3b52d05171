"""A link's record id (?task=, ?event=, ?request=, ?elder=, ?case=) is read by one rule
(ui/links.py): only plain ASCII digits within the database's integers name a record.
Anything else someone types or pastes into the address ("²", a 20-digit number, "-1")
names none: the page opens as without a link, never a crash."""

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT, sign_in_token
from ui.links import record_id

# page, who opens it, the query parameter it follows
LINKS = [
    ("views/open_tasks.py", "zhiyuan", "task"),
    ("views/check_in.py", "zhiyuan", "task"),
    ("views/tasks.py", "shuji", "task"),
    ("views/programme.py", None, "event"),
    ("views/events.py", "shuji", "event"),
    ("views/proxy_board.py", "dazhao", "request"),
    ("views/visit_record.py", "wangge", "elder"),
    ("views/cases.py", "shuji", "case"),
]
ODD = ["²", "99999999999999999999", "-1", "1.5", "١"]


@pytest.mark.parametrize(("raw", "expected"), [("12", 12), ("0012", 12), *[(r, None) for r in ODD]])
def test_only_plain_digits_within_the_databases_integers_name_a_record(raw, expected):
    assert record_id(raw) == expected
    assert record_id(None) is None and record_id("") is None


@pytest.mark.parametrize(("page", "who", "param"), LINKS, ids=[p[2] + "@" + p[0] for p in LINKS])
def test_an_odd_id_in_a_link_opens_the_page_as_without_one(demo_engine, page, who, param):
    for raw in ODD:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
        at.session_state["ui_lang"] = "zh_CN"
        if who:
            at.session_state["auth_token"] = sign_in_token(demo_engine, who)
        at.query_params[param] = raw
        at.switch_page(page)
        at.run()
        assert not at.exception, (raw, at.exception)
        assert not [e.value for e in at.error], (raw, [e.value for e in at.error])
