"""The dashboard and the meeting screen: figures for each role, and no personal data in
anything sent to the browser on the meeting screen."""

import json
import re
import time

import pytest
from sqlmodel import Session, select

import models
from services import dashboard
from tests.conftest import app_test

PHONE = re.compile(r"(?<![0-9a-f])1[3-9]\d{9}(?![0-9a-f])")  # not inside a hex data id


def _personal_values(engine) -> set[str]:
    """Every name, phone and address the demo database holds about a person."""
    values: set[str] = set()
    with Session(engine) as s:
        for v in s.exec(select(models.Volunteer)):
            values |= {v.name, v.phone}
        for e in s.exec(select(models.Elder)):
            values |= {e.name, e.phone, e.address, e.guardian_name, e.guardian_phone}
        for m in s.exec(select(models.Merchant)):
            values |= {m.owner_name, m.phone, m.address}
        for r in s.exec(select(models.Registration)):
            values |= {r.name, r.phone}
        for a in s.exec(select(models.Account).where(models.Account.role != "display")):
            values |= {a.display_name, a.username}  # people; the projector account is not
    return {v for v in values if v and len(v) >= 2}


def _sent_to_browser(at) -> str:
    """Everything the meeting screen puts on the page: texts, metrics, chart specs and data."""
    parts = [str(e.value) for e in [*at.title, *at.caption, *at.markdown, *at.text]]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    for chart in at.get("vega_lite_chart"):
        parts.append(chart.proto.spec)
        parts += [str(d) for d in chart.proto.datasets]
    return "\n".join(parts)


def _all_screens(at):
    """Yields the meeting page on each of its screens."""
    total = 1 + len(dashboard.CHARTS)
    for _ in range(total):
        yield at
        at.button(key="meeting_next").click().run()
        assert not at.exception


@pytest.mark.parametrize("username", ["huiyi", "shuji", "admin", "wangge"])
def test_meeting_screens_hold_no_personal_data(demo_engine, username):
    personal = _personal_values(demo_engine)
    at = app_test(demo_engine, username, None if username == "huiyi" else "views/meeting.py")
    seen = 0
    for screen in _all_screens(at):
        sent = _sent_to_browser(screen)
        assert not PHONE.search(sent)
        leaked = sorted(v for v in personal if v in sent)
        assert not leaked, leaked
        seen += 1
    assert seen == 1 + len(dashboard.CHARTS)


def test_display_account_lands_on_the_meeting_screen(demo_engine):
    at = app_test(demo_engine, "huiyi")
    assert at.title[0].value == "我们一起做了这些事"
    assert len(at.metric) == len(dashboard.FIGURES)
    with pytest.raises(ValueError):
        at.switch_page("views/dashboard.py")


def test_meeting_next_and_previous_wrap_around(demo_engine):
    at = app_test(demo_engine, "huiyi")
    at.button(key="meeting_prev").click().run()
    total = 1 + len(dashboard.CHARTS)
    assert at.session_state["meeting_screen"] == total - 1
    at.button(key="meeting_next").click().run()
    assert at.session_state["meeting_screen"] == 0


def test_rotation_steps_once_per_interval_and_clicks_step_once(demo_engine):
    at = app_test(demo_engine, "huiyi")
    at.toggle(key="meeting_rotate").set_value(True).run()
    assert at.session_state["meeting_screen"] == 0  # switching rotation on does not skip
    at.button(key="meeting_next").click().run()
    assert at.session_state["meeting_screen"] == 1
    at.button(key="meeting_next").click().run()
    assert at.session_state["meeting_screen"] == 2
    at.button(key="meeting_prev").click().run()
    assert at.session_state["meeting_screen"] == 1
    # The screen has been up longer than the interval: the next scheduled run advances once.
    at.session_state["meeting_changed_at"] = time.monotonic() - 3600
    at.run()
    assert at.session_state["meeting_screen"] == 2
    at.run()  # and not again until the interval has passed anew
    assert at.session_state["meeting_screen"] == 2


def test_chart_specs_carry_aggregates_only(demo_engine):
    at = app_test(demo_engine, "shuji", "views/dashboard.py")
    for chart in at.get("vega_lite_chart"):
        spec = json.loads(chart.proto.spec)
        fields = json.dumps(spec.get("encoding", {}), ensure_ascii=False)
        for forbidden in ("phone", "address", 'name"', "owner"):
            assert forbidden not in fields
