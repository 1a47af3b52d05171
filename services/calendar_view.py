"""The staff's calendar (日历): a week or a month of the community's tasks and events.

Weeks start on Monday (the Chinese office week) and days are local (Asia/Shanghai). The
read is limited in SQL to the period shown (the start indexes of tasks and events), so a
month costs the rows of that month whatever the history. An item is placed on the day it
starts; cancelled tasks and events are left out (a stopped series leaves no clutter).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlmodel import Session, col, select

from models.base import LOCAL_TZ, aware_utc, local
from models.events import Event, EventStatus
from models.org import Community
from models.volunteers import Task, TaskStatus
from services.access import STAFF, Actor


@dataclass(frozen=True)
class Period:
    start: date  # the first day shown
    end: date  # the day after the last day shown

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days)]


def week_of(day: date) -> Period:
    """The Monday-to-Sunday week that holds `day`."""
    monday = day - timedelta(days=day.weekday())
    return Period(monday, monday + timedelta(days=7))


def month_grid(day: date) -> Period:
    """The whole weeks (Monday first) that hold the month of `day`: the month view's grid."""
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    last = following - timedelta(days=1)
    return Period(week_of(first).start, week_of(last).end)


def shift(day: date, *, month: bool, steps: int) -> date:
    """`day` moved by weeks, or by months (to the 1st of the month)."""
    if not month:
        return day + timedelta(days=7 * steps)
    index = day.year * 12 + day.month - 1 + steps
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class CalendarItem:
    kind: str  # "task" or "event"
    id: int
    title: str
    community: str
    starts_at: datetime
    ends_at: datetime
    taken: int
    capacity: int
    status: str  # a TaskStatus or EventStatus value

    @property
    def day(self) -> date:
        return local(self.starts_at).date()


def _bounds(period: Period) -> tuple[datetime, datetime]:
    return (
        datetime.combine(period.start, time(), LOCAL_TZ),
        datetime.combine(period.end, time(), LOCAL_TZ),
    )


def calendar_items(
    *, session: Session, actor: Actor, start: date, end: date, community_id: int | None = None
) -> list[CalendarItem]:
    """Tasks and events of the actor's communities (the street admin: all, or the one
    asked for) that start from `start` up to the day before `end`, by start time."""
    actor.require(STAFF)
    ids = actor.community_ids(community_id)
    begin, finish = _bounds(Period(start, end))
    task_stmt = (
        select(Task, Community.name)
        .join(Community, col(Community.id) == Task.community_id)
        .where(
            col(Task.starts_at) >= begin,
            col(Task.starts_at) < finish,
            Task.status != TaskStatus.cancelled,
        )
    )
    event_stmt = (
        select(Event, Community.name)
        .join(Community, col(Community.id) == Event.community_id)
        .where(
            col(Event.starts_at) >= begin,
            col(Event.starts_at) < finish,
            Event.status != EventStatus.cancelled,
        )
    )
    if ids is not None:
        task_stmt = task_stmt.where(col(Task.community_id).in_(ids))
        event_stmt = event_stmt.where(col(Event.community_id).in_(ids))
    items = [
        CalendarItem(
            kind,
            row.id,
            row.title,
            name,
            aware_utc(row.starts_at),
            aware_utc(row.ends_at),
            row.taken,
            row.capacity,
            str(row.status),
        )
        for kind, stmt in (("task", task_stmt), ("event", event_stmt))
        for row, name in session.exec(stmt)
    ]
    return sorted(items, key=lambda item: (item.starts_at, item.kind, item.id))
