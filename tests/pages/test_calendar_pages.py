"""日历 (staff): the week shows the community's own tasks and events (the street admin
every community's, or one picked), the month view and the moves; volunteers and grid
workers cannot open it."""

from datetime import datetime, time, timedelta

import pytest
from sqlmodel import Session, select

from models.accounts import Account
from models.base import LOCAL_TZ, local_today
from models.org import Community
from models.volunteers import TaskKind
from services import db, tasks
from services.auth import actor_of
from tests.conftest import app_test

pytestmark = pytest.mark.usefixtures("fresh_read_cache")


def _actor(engine, username):
    with Session(engine) as s:
        return actor_of(s.exec(select(Account).where(Account.username == username)).one())


def _task_this_week(engine, username: str, community: str, title: str) -> int:
    """A task on this week's Wednesday at 10:00 local, in `community`."""
    today = local_today()
    wednesday = today - timedelta(days=today.weekday()) + timedelta(days=2)
    starts = datetime.combine(wednesday, time(10), LOCAL_TZ)
    with db.transaction(engine) as s:
        community_id = s.exec(select(Community.id).where(Community.name == community)).one()
        return tasks.task_create(
            session=s,
            actor=_actor(engine, username),
            title=title,
            kind=TaskKind.other,
            community_id=community_id,
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            capacity=6,
            place="活动室",
        )


def _markdown(at) -> str:
    return " ".join(str(e.value) for e in at.markdown)


def test_the_week_shows_own_items_to_the_secretary_and_every_communitys_to_the_admin(
    demo_engine,
):
    _task_this_week(demo_engine, "shuji", "四千米社区", "日历测试本社区任务")
    _task_this_week(demo_engine, "admin", "前进社区", "日历测试前进社区任务")

    at = app_test(demo_engine, "shuji", "views/calendar.py")
    assert not at.exception
    shown = _markdown(at)
    assert "**周一**" in shown and "**周日**" in shown
    assert "日历测试本社区任务" in shown
    assert "日历测试前进社区任务" not in shown
    assert "**10:00–12:00**" in shown
    captions = " ".join(c.value for c in at.caption)
    assert "已报 0/6" in captions and "招募中" in captions

    at = app_test(demo_engine, "admin", "views/calendar.py")
    shown = _markdown(at)
    assert "日历测试本社区任务" in shown and "日历测试前进社区任务" in shown
    community = at.selectbox(key="calendar_community")
    community.select_index(community.options.index("前进社区")).run()
    shown = _markdown(at)
    assert "日历测试前进社区任务" in shown and "日历测试本社区任务" not in shown


def test_month_view_and_moves(demo_engine):
    at = app_test(demo_engine, "shuji", "views/calendar.py")
    today = local_today()
    at.radio(key="calendar_mode").set_value("month").run()
    assert not at.exception
    assert at.subheader[0].value == f"{today.year} 年 {today.month} 月"
    assert ":blue-background[今天]" in _markdown(at)
    at.button(key="calendar_next").click().run()
    following = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    assert at.subheader[0].value == f"{following.year} 年 {following.month} 月"
    assert ":blue-background[今天]" not in _markdown(at)
    at.button(key="calendar_today").click().run()
    assert at.subheader[0].value == f"{today.year} 年 {today.month} 月"


@pytest.mark.parametrize("username", ["zhiyuan", "wangge"])
def test_volunteers_and_grid_workers_cannot_open_the_calendar(demo_engine, username):
    at = app_test(demo_engine, username)
    with pytest.raises(ValueError):
        at.switch_page("views/calendar.py")
