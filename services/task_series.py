"""Task series (系列任务): a task that repeats, e.g. 爱心阿姨服务队 visits every Tuesday.

A series is a rule (weekly or fortnightly on chosen weekdays, monthly on a day) and the
task it makes; its occurrences are ordinary tasks (`Task.series_id`), made ahead for a
window of weeks, each through `tasks.task_create` (the same checks as a single task), so
signing up, the roster and hours work on them unchanged. One occurrence is edited with
the ordinary task edit; `series_update_from` edits "this and all later"; `series_stop`
cancels the later occurrences through the task's own cancel path (their volunteers are
told as for any cancelled task); nothing is deleted.

Days are local (Asia/Shanghai, which has no daylight saving: an occurrence at 09:00 is
09:00 on every day of the window). The days come from dateutil's rrule: the weeks of a
fortnightly rule count from the first day's week (Monday first); a monthly rule on a day
a month lacks (the 31st in April, the 30th in February) falls on that month's last day.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from dateutil.rrule import MONTHLY, WEEKLY, rrule
from sqlmodel import Session, col, select

from models.base import LOCAL_TZ, aware_utc, local, local_today
from models.volunteers import SeriesRule, Task, TaskKind, TaskSeries, TaskStatus, Team
from services import audit, reminders, tasks, team_signups
from services.access import FIELD, STAFF, Actor, get_scoped
from services.errors import BoardError, Label

DEFAULT_WEEKS = 8
MAX_WEEKS = 26  # half a year made ahead at most; `series_extend` makes more later
MIN_MINUTES, MAX_MINUTES = 15, 24 * 60  # as the table's CHECK says


def window_until(first_day: date, weeks: int) -> date:
    """The last day of a window of `weeks` weeks that starts on `first_day`."""
    return first_day + timedelta(days=7 * weeks - 1)


def occurrence_days(
    *,
    rule: SeriesRule,
    weekdays: Sequence[int],
    month_day: int | None,
    first_day: date,
    until: date,
) -> list[date]:
    """The local days a series falls on from `first_day` to `until` (both included).

    Weekly and fortnightly: on `weekdays` (Monday=0), every week or every other week
    counted from the week of `first_day`. Monthly: on `month_day`, or on the month's last
    day when the month is shorter (the largest of the month's days 28…month_day)."""
    start = datetime.combine(first_day, time())
    end = datetime.combine(until, time())
    if SeriesRule(rule) == SeriesRule.monthly:
        assert month_day is not None  # checked by _check_rule
        days = rrule(
            MONTHLY,
            dtstart=start,
            until=end,
            bymonthday=tuple(range(min(month_day, 28), month_day + 1)),
            bysetpos=-1,
        )
    else:
        interval = 2 if SeriesRule(rule) == SeriesRule.fortnightly else 1
        days = rrule(WEEKLY, dtstart=start, until=end, interval=interval, byweekday=tuple(weekdays))
    return [d.date() for d in days]


def weekday_list(text: str) -> list[int]:
    """The stored weekdays ("1,3") as numbers."""
    return [int(x) for x in text.split(",") if x.strip()]


def _check_rule(
    rule: SeriesRule, weekdays: Sequence[int], month_day: int | None, minutes: int
) -> None:
    if SeriesRule(rule) == SeriesRule.monthly:
        if month_day is None or not 1 <= month_day <= 31:
            raise BoardError("series.month_day_invalid")
    elif not weekdays or any(not 0 <= d <= 6 for d in weekdays):
        raise BoardError("series.weekdays_required")
    if minutes is None or minutes <= 0:
        raise BoardError("tasks.end_before_start")
    if not MIN_MINUTES <= minutes <= MAX_MINUTES:
        raise BoardError("series.minutes_invalid", min=MIN_MINUTES, max=MAX_MINUTES // 60)


def _rule_of(value: str) -> SeriesRule:
    try:
        return SeriesRule(value)
    except ValueError:
        raise BoardError("series.rule_invalid") from None


def _kind(value: str) -> TaskKind:
    try:
        return TaskKind(value)
    except ValueError:
        raise BoardError("validation.not_a_choice", field=Label("field.kind")) from None


def _occurrence_times(day: date, starts: time, minutes: int) -> tuple[datetime, datetime]:
    begin = datetime.combine(day, starts, LOCAL_TZ)
    return begin, begin + timedelta(minutes=minutes)


def _make_occurrences(
    session: Session, actor: Actor, series: TaskSeries, days: list[date], status: TaskStatus
) -> list[int]:
    """One task per day through `tasks.task_create`, each marked as the series' own, and
    the series' team signed up to each (team_signups.team_sign_up)."""
    made = []
    for day in days:
        starts_at, ends_at = _occurrence_times(day, series.starts, series.minutes)
        task_id = tasks.task_create(
            session=session,
            actor=actor,
            title=series.title,
            kind=series.kind,
            community_id=series.community_id,
            starts_at=starts_at,
            ends_at=ends_at,
            capacity=series.capacity,
            place=series.place,
            required_skills=series.required_skills,
            description=series.description,
            status=status,
        )
        task = session.get(Task, task_id)
        assert task is not None  # just made
        audit.apply_changes(session, actor_id=actor.id, row=task, values={"series_id": series.id})
        session.flush()
        if series.team_id is not None and status == TaskStatus.open:
            team_signups.team_sign_up(
                session=session, actor=actor, task_id=task_id, team_id=series.team_id
            )
        made.append(task_id)
    return made


def _check_team(session: Session, actor: Actor, team_id: int | None, community_id: int) -> None:
    if team_id is None:
        return
    actor.require(STAFF)  # signing a team up is the staff's (team_signups)
    team = session.get(Team, team_id)
    if team is None or team.community_id != community_id or not team.active:
        raise BoardError("series.team_invalid")


@dataclass(frozen=True)
class SeriesMade:
    series_id: int
    tasks: int  # how many occurrences were made


def series_create(
    *,
    session: Session,
    actor: Actor,
    community_id: int,
    title: str,
    kind: TaskKind,
    place: str,
    description: str = "",
    required_skills: str = "",
    capacity: int,
    rule: SeriesRule | str,
    weekdays: Sequence[int] = (),
    month_day: int | None = None,
    starts: time,
    minutes: int,
    first_day: date,
    weeks: int = DEFAULT_WEEKS,
    team_id: int | None = None,
    status: TaskStatus = TaskStatus.open,
    today: date | None = None,
) -> SeriesMade:
    """Makes a series and its occurrences for `weeks` weeks from `first_day`, in one
    transaction (a refusal writes nothing: the caller's transaction is rolled back).
    Each occurrence is checked as a single task is (tasks.task_create). With `team_id`,
    every active member of the team is signed up to each open occurrence."""
    actor.require(FIELD)
    actor.require_community(community_id)
    rule = _rule_of(rule)
    weekdays = sorted(set(weekdays))
    _check_rule(rule, weekdays, month_day, minutes)
    if capacity is None or capacity < 1:
        raise BoardError("tasks.capacity_invalid")
    if weeks is None or not 1 <= weeks <= MAX_WEEKS:
        raise BoardError("series.window_invalid", max=MAX_WEEKS)
    if first_day < (today or local_today()):
        raise BoardError("series.first_day_past")
    _check_team(session, actor, team_id, community_id)
    until = window_until(first_day, weeks)
    days = occurrence_days(
        rule=rule, weekdays=weekdays, month_day=month_day, first_day=first_day, until=until
    )
    if not days:
        raise BoardError("series.no_occurrence")
    series = TaskSeries(
        community_id=community_id,
        title=(title or "").strip(),
        kind=_kind(kind),
        place=(place or "").strip(),
        description=(description or "").strip(),
        required_skills=required_skills,
        capacity=capacity,
        rule=rule,
        weekdays=",".join(str(d) for d in weekdays) if rule != SeriesRule.monthly else "",
        month_day=month_day if rule == SeriesRule.monthly else None,
        starts=starts,
        minutes=minutes,
        first_day=first_day,
        until=until,
        team_id=team_id,
        created_by=actor.id,
    )
    session.add(series)
    session.flush()
    audit.record(session, actor_id=actor.id, action="create", row=series)
    made = _make_occurrences(session, actor, series, days, TaskStatus(status))
    return SeriesMade(series.id, len(made))


def _later_occurrences(session: Session, series_id: int, since: datetime) -> list[Task]:
    """The series' tasks that start at or after `since` and are not done or cancelled."""
    return list(
        session.exec(
            select(Task)
            .where(
                Task.series_id == series_id,
                col(Task.starts_at) >= since,
                col(Task.status).not_in(tasks.FINISHED),
            )
            .order_by(col(Task.starts_at))
            # `taken` moves by SQL (services/capacity.py): read it as it is now
            .execution_options(populate_existing=True)
        ).all()
    )


def _scoped_series(session: Session, actor: Actor, series_id: int) -> TaskSeries:
    series = get_scoped(session, actor, TaskSeries, series_id, FIELD)
    if not series.active:
        raise BoardError("series.stopped")
    return series


@dataclass(frozen=True)
class SeriesUpdated:
    tasks: int  # occurrences changed
    promoted: int  # sign-ups moved up from a waitlist by the larger capacity


def series_update_from(
    *,
    session: Session,
    actor: Actor,
    task_id: int,
    title: str,
    place: str,
    capacity: int,
    starts: time,
    minutes: int,
    description: str = "",
    required_skills: str = "",
    kind: TaskKind | None = None,
) -> SeriesUpdated:
    """ "This and all later": the series and each of its occurrences from `task_id` on
    that is not done or cancelled take the new title, place, description, skills,
    capacity, time of day and length; each keeps its own day. Earlier occurrences and
    finished ones stay as they were. Capacity never falls below an occurrence's
    confirmed places (refused, naming that occurrence's day); each change is audited
    (tasks.task_update), and more places go to each waitlist first."""
    task = get_scoped(session, actor, Task, task_id, FIELD)
    if task.series_id is None:
        raise BoardError("series.not_a_series")
    series = _scoped_series(session, actor, task.series_id)
    if not tasks.editable(task.status):
        raise BoardError("tasks.finished")
    _check_rule(series.rule, weekday_list(series.weekdays), series.month_day, minutes)
    later = _later_occurrences(session, series.id, aware_utc(task.starts_at))
    for occurrence in later:
        if capacity is not None and capacity < occurrence.taken:
            raise BoardError(
                "series.capacity_below_confirmed",
                day=f"{local(occurrence.starts_at):%Y-%m-%d}",
                n=occurrence.taken,
            )
    promoted = 0
    for occurrence in later:
        starts_at, ends_at = _occurrence_times(local(occurrence.starts_at).date(), starts, minutes)
        promoted += len(
            tasks.task_update(
                session=session,
                actor=actor,
                task_id=occurrence.id,
                title=title,
                place=place,
                starts_at=starts_at,
                ends_at=ends_at,
                capacity=capacity,
                required_skills=required_skills,
                description=description,
                kind=kind,
            )
        )
    audit.apply_changes(
        session,
        actor_id=actor.id,
        row=series,
        values={
            "title": title.strip(),
            "place": place.strip(),
            "description": description.strip(),
            "required_skills": required_skills,
            "capacity": capacity,
            "starts": starts,
            "minutes": minutes,
            "kind": _kind(kind) if kind is not None else series.kind,
        },
    )
    return SeriesUpdated(len(later), promoted)


def series_extend(
    *,
    session: Session,
    actor: Actor,
    series_id: int,
    until: date,
    today: date | None = None,
) -> int:
    """Makes the occurrences after the series' `until` up to the new `until`, at most
    MAX_WEEKS ahead of today. Returns how many were made."""
    series = _scoped_series(session, actor, series_id)
    if series.team_id is not None:
        actor.require(STAFF)
    today = today or local_today()
    if until <= series.until:
        raise BoardError("series.extend_not_later", until=f"{series.until:%Y-%m-%d}")
    if until > window_until(today, MAX_WEEKS):
        raise BoardError("series.window_invalid", max=MAX_WEEKS)
    start = max(series.until + timedelta(days=1), today)
    days = occurrence_days(
        rule=series.rule,
        weekdays=weekday_list(series.weekdays),
        month_day=series.month_day,
        first_day=series.first_day,
        until=until,
    )
    made = _make_occurrences(
        session, actor, series, [d for d in days if d >= start], TaskStatus.open
    )
    audit.apply_changes(session, actor_id=actor.id, row=series, values={"until": until})
    return len(made)


@dataclass(frozen=True)
class SeriesStopped:
    tasks: int  # occurrences cancelled
    signups: int  # sign-ups cancelled with them (their volunteers are told)


def series_stop(*, session: Session, actor: Actor, series_id: int, from_day: date) -> SeriesStopped:
    """Stops a series: its occurrences on `from_day` and later that are not done or
    cancelled are cancelled through the task's cancel path (tasks.task_set_status, which
    cancels their sign-ups), the earlier ones stay; the series is marked inactive."""
    series = _scoped_series(session, actor, series_id)
    since = datetime.combine(from_day, time(), LOCAL_TZ)
    # inactive first: its occurrences' cancellations then leave the group to the series'
    # one message (reminders.series_stopped_group)
    audit.apply_changes(session, actor_id=actor.id, row=series, values={"active": False})
    cancelled: list[tuple[Task, TaskStatus]] = []
    cancelled_signups = 0
    for occurrence in _later_occurrences(session, series.id, since):
        was = TaskStatus(occurrence.status)
        cancelled_signups += tasks.task_set_status(
            session=session, actor=actor, task_id=occurrence.id, status=TaskStatus.cancelled
        )
        cancelled.append((occurrence, was))
    reminders.series_stopped_group(session, series=series, from_day=from_day, cancelled=cancelled)
    return SeriesStopped(len(cancelled), cancelled_signups)


# --- reads --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SeriesInfo:
    """What a task's page says of its series: "系列任务：每周二 09:00 · 共 8 次"."""

    id: int
    rule: str
    weekdays: tuple[int, ...]
    month_day: int | None
    starts: time
    minutes: int
    until: date
    occurrences: int  # not cancelled
    later: int  # from the asked task on, not done or cancelled (what "this and later" changes)
    active: bool
    team: str  # the name of the team signed up as a whole, or ""


def series_of_task(*, session: Session, actor: Actor, task_id: int) -> SeriesInfo | None:
    """The series of a task in the actor's scope, or None for a single task."""
    actor.require(FIELD)
    task = session.get(Task, task_id)
    if task is None or task.series_id is None:
        return None
    actor.require_community(task.community_id)
    series = session.get(TaskSeries, task.series_id)
    assert series is not None  # the task's foreign key
    statuses = session.exec(
        select(Task.status, Task.starts_at).where(Task.series_id == series.id)
    ).all()
    since = aware_utc(task.starts_at)
    team = session.get(Team, series.team_id) if series.team_id is not None else None
    return SeriesInfo(
        id=series.id,
        rule=str(series.rule),
        weekdays=tuple(weekday_list(series.weekdays)),
        month_day=series.month_day,
        starts=series.starts,
        minutes=series.minutes,
        until=series.until,
        occurrences=sum(1 for s, _ in statuses if s != TaskStatus.cancelled),
        later=sum(1 for s, at in statuses if s not in tasks.FINISHED and aware_utc(at) >= since),
        active=series.active,
        team=team.name if team is not None else "",
    )
