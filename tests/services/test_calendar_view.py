"""The staff's calendar: Monday-first weeks and month grids, local days, and a read
limited to the period shown and to the actor's communities."""

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import event

from models.accounts import Role
from models.base import LOCAL_TZ
from models.events import Event, EventStatus
from models.volunteers import Task, TaskKind, TaskStatus
from services import calendar_view
from services.errors import BoardError
from tests import factories
from tests.conftest import make_account


def test_weeks_start_on_monday_and_months_are_whole_weeks():
    assert calendar_view.week_of(date(2026, 12, 6)) == calendar_view.Period(
        date(2026, 11, 30), date(2026, 12, 7)
    )
    grid = calendar_view.month_grid(date(2027, 2, 14))
    assert (grid.start, grid.end) == (date(2027, 2, 1), date(2027, 3, 1))  # 4 weeks exactly
    grid = calendar_view.month_grid(date(2026, 12, 20))
    assert (grid.start, grid.end) == (date(2026, 11, 30), date(2027, 1, 4))
    assert len(grid.days) == 35 and grid.days[0].weekday() == 0
    assert calendar_view.shift(date(2026, 12, 20), month=True, steps=1) == date(2027, 1, 1)
    assert calendar_view.shift(date(2026, 1, 5), month=True, steps=-1) == date(2025, 12, 1)
    assert calendar_view.shift(date(2026, 12, 20), month=False, steps=-1) == date(2026, 12, 13)


def _task(session, community_id, starts: datetime, title: str, status=TaskStatus.open) -> int:
    row = Task(
        title=title,
        kind=TaskKind.other,
        community_id=community_id,
        place="活动室",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        capacity=4,
        taken=1,
        status=status,
    )
    session.add(row)
    session.commit()
    return row.id


def _event(session, community_id, starts: datetime, title: str) -> int:
    row = Event(
        title=title,
        category="讲座",
        community_id=community_id,
        venue="礼堂",
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        capacity=30,
        status=EventStatus.published,
    )
    session.add(row)
    session.commit()
    return row.id


def _local(y, m, d, h=0, minute=0) -> datetime:
    return datetime(y, m, d, h, minute, tzinfo=LOCAL_TZ)


def test_the_week_holds_its_own_items_by_local_day_and_start(engine, session, w):
    cid = w.community_id
    other = factories.world(session, "前进社区")
    _task(session, cid, _local(2026, 12, 6, 23, 30), "上周日晚")  # the week before
    monday_early = _task(session, cid, _local(2026, 12, 7, 0, 30), "周一凌晨")  # 16:30 UTC Sun
    late = _task(session, cid, _local(2026, 12, 9, 15), "周三下午")
    early = _event(session, cid, _local(2026, 12, 9, 9), "周三讲座")
    _task(session, cid, _local(2026, 12, 10, 9), "已取消", TaskStatus.cancelled)
    _task(session, cid, _local(2026, 12, 14, 0, 0), "下周一")
    elsewhere = _task(session, other.community_id, _local(2026, 12, 8, 9), "前进社区的任务")

    statements: list[str] = []

    def seen(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    week = calendar_view.week_of(date(2026, 12, 10))
    items = calendar_view.calendar_items(
        session=session, actor=w.shuji, start=week.start, end=week.end
    )
    event.remove(engine, "before_cursor_execute", seen)
    assert [(i.kind, i.id) for i in items] == [
        ("task", monday_early),
        ("event", early),
        ("task", late),
    ]
    assert items[0].day == date(2026, 12, 7)
    assert (items[2].taken, items[2].capacity, items[2].status) == (1, 4, "open")
    # the period is in the SQL, not filtered afterwards
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 2 and all("starts_at >=" in s and "starts_at <" in s for s in selects)

    street = calendar_view.calendar_items(
        session=session, actor=w.admin, start=week.start, end=week.end
    )
    assert elsewhere in {i.id for i in street if i.kind == "task"}
    one = calendar_view.calendar_items(
        session=session,
        actor=w.admin,
        start=week.start,
        end=week.end,
        community_id=other.community_id,
    )
    assert [(i.id, i.community) for i in one] == [(elsewhere, "前进社区")]


def test_only_staff_read_the_calendar(session, w):
    grid = make_account(session, "wangge_cal", Role.grid_worker, w.community_id)
    with pytest.raises(BoardError):
        calendar_view.calendar_items(
            session=session, actor=grid, start=date(2026, 12, 7), end=date(2026, 12, 14)
        )
    with pytest.raises(BoardError):
        calendar_view.calendar_items(
            session=session,
            actor=w.shuji,
            start=date(2026, 12, 7),
            end=date(2026, 12, 14),
            community_id=w.community_id + 99,
        )
