"""Task series on a fresh database: the days each rule makes (local, Asia/Shanghai),
refusals that write nothing, "this and all later", extending and stopping a series."""

from datetime import date, time, timedelta

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from models.audit import AuditEntry
from models.base import local, local_today
from models.volunteers import (
    SeriesRule,
    Signup,
    SignupStatus,
    Task,
    TaskKind,
    TaskSeries,
    TaskStatus,
)
from services import db, signups, task_series, tasks
from services.errors import BoardError
from tests import factories

TODAY = date(2026, 12, 7)  # a Monday; the series below start on days after it


def _next(weekday: int) -> date:
    """The next day on `weekday` (Monday=0) after today."""
    today = local_today()
    return today + timedelta(days=(weekday - today.weekday()) % 7 or 7)


def _series(session, w, **overrides):
    values = dict(
        session=session,
        actor=w.shuji,
        community_id=w.community_id,
        title="爱心阿姨服务队入户探访",
        kind=TaskKind.elder_visit,
        place="四千米社区党群服务中心",
        description="每周上门",
        required_skills="",
        capacity=3,
        rule=SeriesRule.weekly,
        weekdays=[1, 3],
        month_day=None,
        starts=time(9, 0),
        minutes=120,
        first_day=_next(0),
        weeks=8,
    )
    return task_series.series_create(**(values | overrides))


def _tasks(session, series_id) -> list[Task]:
    return list(
        session.exec(select(Task).where(Task.series_id == series_id).order_by(Task.starts_at))
    )


def _count(session, model) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


# --- the days of each rule ------------------------------------------------------------


def test_weekly_tuesday_and_thursday_for_eight_weeks_makes_sixteen_tasks(session, w):
    made = _series(session, w)
    session.commit()
    assert made.tasks == 16
    rows = _tasks(session, made.series_id)
    assert len(rows) == 16
    days = [local(r.starts_at) for r in rows]
    assert {d.weekday() for d in days} == {1, 3}
    assert {(d.hour, d.minute) for d in days} == {(9, 0)}  # 09:00 local on every day
    assert {local(r.ends_at).hour for r in rows} == {11}
    first = _next(0)
    assert days[0].date() == first + timedelta(days=1)  # the Tuesday after the Monday
    assert days[-1].date() == first + timedelta(days=7 * 7 + 3)  # the 8th Thursday
    assert {r.status for r in rows} == {TaskStatus.open}
    assert {r.capacity for r in rows} == {3}
    series = session.get(TaskSeries, made.series_id)
    assert series.weekdays == "1,3" and series.until == first + timedelta(days=55)


def test_fortnightly_skips_every_other_week():
    days = task_series.occurrence_days(
        rule=SeriesRule.fortnightly,
        weekdays=[1],
        month_day=None,
        first_day=TODAY,
        until=task_series.window_until(TODAY, 8),
    )
    assert days == [date(2026, 12, 8) + timedelta(days=14 * i) for i in range(4)]


def test_monthly_on_the_31st_falls_on_the_last_day_of_a_shorter_month():
    days = task_series.occurrence_days(
        rule=SeriesRule.monthly,
        weekdays=[],
        month_day=31,
        first_day=date(2027, 1, 1),
        until=date(2027, 5, 31),
    )
    assert days == [
        date(2027, 1, 31),
        date(2027, 2, 28),
        date(2027, 3, 31),
        date(2027, 4, 30),
        date(2027, 5, 31),
    ]
    leap = task_series.occurrence_days(
        rule=SeriesRule.monthly, weekdays=[], month_day=30, first_day=date(2028, 2, 1),
        until=date(2028, 3, 31),
    )  # fmt: skip
    assert leap == [date(2028, 2, 29), date(2028, 3, 30)]
    assert task_series.occurrence_days(
        rule=SeriesRule.monthly,
        weekdays=[],
        month_day=15,
        first_day=date(2027, 1, 16),
        until=date(2027, 3, 1),
    ) == [date(2027, 2, 15)]


def test_a_monthly_series_keeps_local_time_in_every_month(session, w):
    made = _series(
        session,
        w,
        rule=SeriesRule.monthly,
        weekdays=[],
        month_day=31,
        starts=time(23, 30),
        minutes=30,
        first_day=local_today() + timedelta(days=1),
        weeks=26,
    )
    session.commit()
    rows = _tasks(session, made.series_id)
    assert 5 <= len(rows) <= 7
    for row in rows:
        start = local(row.starts_at)
        # the last day of its month (the 31st, or the month's last day), at 23:30 local
        assert (start + timedelta(days=1)).day == 1
        assert (start.hour, start.minute) == (23, 30)


# --- refusals write nothing -------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "key"),
    [
        ({"weekdays": []}, "series.weekdays_required"),
        ({"rule": SeriesRule.fortnightly, "weekdays": []}, "series.weekdays_required"),
        ({"rule": SeriesRule.monthly, "month_day": None}, "series.month_day_invalid"),
        ({"rule": SeriesRule.monthly, "month_day": 32}, "series.month_day_invalid"),
        ({"weeks": 27}, "series.window_invalid"),
        ({"weeks": 0}, "series.window_invalid"),
        ({"first_day": date(2020, 1, 1)}, "series.first_day_past"),
        ({"capacity": 0}, "tasks.capacity_invalid"),
        ({"minutes": 0}, "tasks.end_before_start"),
        ({"minutes": 10}, "series.minutes_invalid"),
        ({"rule": "daily"}, "series.rule_invalid"),
        ({"place": "  "}, "tasks.place_required"),
        ({"title": ""}, "tasks.title_required"),
        ({"team_id": 999}, "series.team_invalid"),
    ],
)
def test_refusals_write_nothing(engine, session, w, overrides, key):
    with pytest.raises(BoardError) as refused, db.transaction(engine) as s:
        _series(s, w, **overrides)
    assert refused.value.key == key
    with Session(engine) as s:
        assert _count(s, TaskSeries) == 0
        assert _count(s, Task) == 0


def test_a_duplicate_occurrence_refuses_the_whole_series(engine, session, w):
    first = _next(0) + timedelta(days=1)
    starts = local(task_series._occurrence_times(first, time(9), 120)[0])
    with db.transaction(engine) as s:
        tasks.task_create(
            session=s,
            actor=w.shuji,
            title="爱心阿姨服务队入户探访",
            kind=TaskKind.elder_visit,
            community_id=w.community_id,
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            capacity=3,
            place="四千米社区党群服务中心",
        )
    with pytest.raises(BoardError) as refused, db.transaction(engine) as s:
        _series(s, w)
    assert refused.value.key == "tasks.duplicate"
    with Session(engine) as s:
        assert _count(s, TaskSeries) == 0 and _count(s, Task) == 1


def test_another_communitys_secretary_cannot_make_a_series_here(session, w):
    other = factories.world(session, "前进社区")
    with pytest.raises(BoardError) as refused:
        _series(session, w, actor=other.shuji)
    assert refused.value.key == "access.other_community"


# --- this and all later ---------------------------------------------------------------


def test_this_and_all_later_leaves_earlier_and_finished_occurrences(session, w):
    made = _series(session, w)
    session.commit()
    rows = _tasks(session, made.series_id)
    tasks.task_set_status(session=session, actor=w.shuji, task_id=rows[5].id, status="done")
    session.commit()
    result = task_series.series_update_from(
        session=session,
        actor=w.shuji,
        task_id=rows[4].id,
        title="爱心阿姨服务队 · 新时间",
        place="活动室",
        capacity=5,
        starts=time(14, 30),
        minutes=90,
        description="改到下午",
    )
    session.commit()
    assert result.tasks == 11  # occurrences 5..16 but the done one
    after = _tasks(session, made.series_id)
    for row in after[:4]:  # earlier ones: as they were
        assert (row.title, row.capacity, local(row.starts_at).hour) == (
            "爱心阿姨服务队入户探访",
            3,
            9,
        )
    assert after[5].title == "爱心阿姨服务队入户探访" and after[5].status == TaskStatus.done
    changed = [after[4], *after[6:]]
    for before, row in zip([rows[4], *rows[6:]], changed, strict=True):
        start, end = local(row.starts_at), local(row.ends_at)
        assert start.date() == local(before.starts_at).date()  # each keeps its own day
        assert (start.hour, start.minute, end.hour, end.minute) == (14, 30, 16, 0)
        assert (row.title, row.place, row.capacity) == ("爱心阿姨服务队 · 新时间", "活动室", 5)
    series = session.get(TaskSeries, made.series_id)
    assert (series.title, series.starts, series.minutes) == (
        "爱心阿姨服务队 · 新时间",
        time(14, 30),
        90,
    )
    audited = session.exec(
        select(func.count())
        .select_from(AuditEntry)
        .where(AuditEntry.table_name == "task", AuditEntry.action == "update")
    ).one()
    assert audited >= 11


def test_this_and_later_refuses_capacity_below_an_occurrences_confirmed_places(session, w):
    made = _series(session, w, capacity=3)
    session.commit()
    rows = _tasks(session, made.series_id)
    for n in range(3):
        volunteer = factories.volunteer(session, w.community_id, f"队员{n}")
        signups.signup_create(
            session=session, actor=w.shuji, task_id=rows[6].id, volunteer_id=volunteer
        )
    session.commit()
    with pytest.raises(BoardError) as refused:
        task_series.series_update_from(
            session=session,
            actor=w.shuji,
            task_id=rows[2].id,
            title="改名",
            place="活动室",
            capacity=2,
            starts=time(9),
            minutes=120,
        )
    assert refused.value.key == "series.capacity_below_confirmed"
    assert refused.value.params == {"day": f"{local(rows[6].starts_at):%Y-%m-%d}", "n": 3}


# --- extend and stop ------------------------------------------------------------------


def test_extend_makes_the_later_occurrences_only(session, w):
    made = _series(session, w, weeks=2)
    session.commit()
    series = session.get(TaskSeries, made.series_id)
    n = task_series.series_extend(
        session=session,
        actor=w.shuji,
        series_id=made.series_id,
        until=series.until + timedelta(days=14),
    )
    session.commit()
    assert n == 4
    days = [local(r.starts_at).date() for r in _tasks(session, made.series_id)]
    assert len(days) == len(set(days)) == 8
    with pytest.raises(BoardError) as refused:
        task_series.series_extend(
            session=session, actor=w.shuji, series_id=made.series_id, until=series.until
        )
    assert refused.value.key == "series.extend_not_later"


def test_stop_cancels_later_occurrences_and_their_signups_and_keeps_earlier(session, w):
    made = _series(session, w)
    session.commit()
    rows = _tasks(session, made.series_id)
    volunteer = factories.volunteer(session, w.community_id, "王阿姨")
    for row in (rows[1], rows[9]):
        signups.signup_create(
            session=session, actor=w.shuji, task_id=row.id, volunteer_id=volunteer
        )
    session.commit()
    stopped = task_series.series_stop(
        session=session,
        actor=w.shuji,
        series_id=made.series_id,
        from_day=local(rows[8].starts_at).date(),
    )
    session.commit()
    assert (stopped.tasks, stopped.signups) == (8, 1)
    after = _tasks(session, made.series_id)
    assert {r.status for r in after[:8]} == {TaskStatus.open}
    assert {r.status for r in after[8:]} == {TaskStatus.cancelled}
    statuses = {
        s.task_id: s.status
        for s in session.exec(select(Signup).where(Signup.volunteer_id == volunteer))
    }
    assert statuses == {rows[1].id: SignupStatus.confirmed, rows[9].id: SignupStatus.cancelled}
    assert session.get(TaskSeries, made.series_id).active is False
    with pytest.raises(BoardError) as refused:
        task_series.series_stop(
            session=session, actor=w.shuji, series_id=made.series_id, from_day=local_today()
        )
    assert refused.value.key == "series.stopped"


def test_series_of_task_says_the_rule_and_counts(session, w):
    made = _series(session, w)
    session.commit()
    rows = _tasks(session, made.series_id)
    tasks.task_set_status(session=session, actor=w.shuji, task_id=rows[0].id, status="cancelled")
    session.commit()
    info = task_series.series_of_task(session=session, actor=w.shuji, task_id=rows[3].id)
    assert (info.rule, info.weekdays, info.starts, info.minutes) == ("weekly", (1, 3), time(9), 120)
    assert (info.occurrences, info.later, info.active) == (15, 13, True)
    single = factories.task(session, w.community_id)
    assert task_series.series_of_task(session=session, actor=w.shuji, task_id=single) is None
