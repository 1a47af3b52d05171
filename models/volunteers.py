"""Volunteers, teams (服务队), tasks and sign-ups, and the star thresholds (星级) the
street sets."""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum

from sqlalchemy import CheckConstraint, Index
from sqlmodel import Field, SQLModel, UniqueConstraint

from models.base import dt_field, enum_field, one_of


class Volunteer(SQLModel, table=True):
    id: int = Field(default=None, primary_key=True)  # set on flush (models/base.py)
    name: str = Field(max_length=40, index=True)
    gender: str = Field(default="", max_length=2)  # models.elders.GENDERS, or ""
    phone: str = Field(max_length=20, index=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    grid_id: int | None = Field(default=None, foreign_key="grid.id")
    skills: str = Field(default="", max_length=200)  # comma-separated skill codes
    party_member: bool = False
    joined_on: date
    active: bool = True
    deactivated_on: date | None = None  # the local day they last left (retention counts from it)
    account_id: int | None = Field(default=None, foreign_key="account.id", unique=True)
    note: str = Field(default="", max_length=500)
    # personal data removed after the retention period (services/retention.py); the
    # record, its sign-ups and hours stay for the figures
    anonymised_on: date | None = None
    # the highest star level already announced to the volunteer on their own page (and
    # dismissed there): a higher level than this is announced once (services/stars.py)
    stars_announced: int = Field(default=0, ge=0, le=5)


class StarThreshold(SQLModel, table=True):
    """The approved hours a volunteer needs for each star level (1★ … 5★). The street admin
    edits them (services/stars.py: five levels, positive, strictly increasing); with no
    rows the defaults of services/stars.py apply."""

    __table_args__ = (
        CheckConstraint("stars >= 1 AND stars <= 5", name="ck_starthreshold_stars"),
        CheckConstraint("hours >= 1", name="ck_starthreshold_hours"),
    )

    stars: int = Field(primary_key=True)
    hours: int


class Team(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("community_id", "name"),)

    id: int = Field(default=None, primary_key=True)  # set on flush (models/base.py)
    name: str = Field(max_length=60)
    community_id: int = Field(foreign_key="community.id", index=True)
    leader_id: int | None = Field(default=None, foreign_key="volunteer.id")
    purpose: str = Field(default="", max_length=300)
    active: bool = True


class TeamMember(SQLModel, table=True):
    team_id: int = Field(foreign_key="team.id", primary_key=True)
    volunteer_id: int = Field(foreign_key="volunteer.id", primary_key=True, index=True)
    joined_on: date
    active: bool = True


class TaskKind(StrEnum):
    elder_visit = "elder_visit"
    proxy_errand = "proxy_errand"
    event_staff = "event_staff"
    patrol = "patrol"
    other = "other"


class TaskStatus(StrEnum):
    draft = "draft"
    open = "open"
    closed = "closed"
    done = "done"
    cancelled = "cancelled"


class SeriesRule(StrEnum):
    """How a task series repeats (issue 17)."""

    weekly = "weekly"  # every week on the chosen weekdays
    fortnightly = "fortnightly"  # every two weeks on the chosen weekdays
    monthly = "monthly"  # once a month on `month_day` (a shorter month: its last day)


class TaskSeries(SQLModel, table=True):
    """A task that repeats, e.g. 爱心阿姨服务队 visits every Tuesday. Its occurrences are
    ordinary tasks (`Task.series_id`) made ahead up to `until` (services/task_series.py);
    editing "this and all later" changes the series and its later tasks, one occurrence
    alone is an ordinary task edit. Stopping a series (`active` false) cancels its later
    tasks; nothing is deleted."""

    __tablename__ = "task_series"
    __table_args__ = (
        CheckConstraint("capacity >= 1", name="ck_task_series_capacity"),
        CheckConstraint("minutes >= 15 AND minutes <= 1440", name="ck_task_series_minutes"),
        CheckConstraint(
            "month_day IS NULL OR (month_day >= 1 AND month_day <= 31)",
            name="ck_task_series_month_day",
        ),
        CheckConstraint("until >= first_day", name="ck_task_series_until"),
        one_of("task_series", "rule", SeriesRule),
        one_of("task_series", "kind", TaskKind),
    )

    id: int = Field(default=None, primary_key=True)  # set on flush (models/base.py)
    community_id: int = Field(foreign_key="community.id", index=True)
    title: str = Field(max_length=100)
    kind: TaskKind = enum_field(TaskKind)
    place: str = Field(default="", max_length=200)
    description: str = Field(default="", max_length=2000)
    required_skills: str = Field(default="", max_length=200)
    capacity: int = Field(ge=1)
    rule: SeriesRule = enum_field(SeriesRule)
    weekdays: str = Field(default="", max_length=20)  # "1,3": Monday=0 … Sunday=6 (weekly rules)
    month_day: int | None = None  # the day of the month (monthly rule)
    starts: time  # local time of day each occurrence starts (Asia/Shanghai)
    minutes: int  # how long each occurrence lasts
    first_day: date  # the first day an occurrence may fall on
    until: date  # occurrences are made up to this day (the window, e.g. 8 weeks)
    team_id: int | None = Field(default=None, foreign_key="team.id")  # signed up as a whole
    active: bool = True
    created_by: int | None = Field(default=None, foreign_key="account.id")
    created_at: datetime = dt_field(default_now=True)


class Task(SQLModel, table=True):
    # The guarded counter (services/capacity.py) relies on these: never overbooked.
    __table_args__ = (
        CheckConstraint("capacity >= 1", name="ck_task_capacity"),
        CheckConstraint("taken >= 0 AND taken <= capacity", name="ck_task_taken"),
        one_of("task", "status", TaskStatus),
        one_of("task", "kind", TaskKind),
        # the open tasks soonest first (a community's, or the street's), an event's staffing
        Index("ix_task_community_starts_at", "community_id", "starts_at"),
        Index("ix_task_status_starts_at", "status", "starts_at"),
        Index("ix_task_event_id", "event_id"),
    )

    id: int = Field(default=None, primary_key=True)  # set on flush (models/base.py)
    title: str = Field(max_length=100)
    kind: TaskKind = enum_field(TaskKind)
    community_id: int = Field(foreign_key="community.id", index=True)
    place: str = Field(default="", max_length=200)
    starts_at: datetime = dt_field(index=True)
    ends_at: datetime = dt_field()
    capacity: int = Field(ge=1)
    taken: int = 0  # confirmed places: the guarded counter that prevents overbooking
    required_skills: str = Field(default="", max_length=200)
    description: str = Field(default="", max_length=2000)
    status: TaskStatus = enum_field(TaskStatus, default=TaskStatus.draft, index=True)
    elder_id: int | None = Field(default=None, foreign_key="elder.id")
    proxy_request_id: int | None = Field(default=None, foreign_key="proxyrequest.id")
    event_id: int | None = Field(default=None, foreign_key="event.id")
    series_id: int | None = Field(default=None, foreign_key="task_series.id", index=True)
    created_by: int | None = Field(default=None, foreign_key="account.id")
    created_at: datetime = dt_field(default_now=True)


class SignupStatus(StrEnum):
    confirmed = "confirmed"
    waitlisted = "waitlisted"
    cancelled = "cancelled"
    attended = "attended"
    no_show = "no_show"


class HoursStatus(StrEnum):
    none = "none"
    pending = "pending"
    approved = "approved"


class HoursSource(StrEnum):
    """Where a sign-up's hours came from (《志愿服务记录与证明出具办法》: kept apart)."""

    check = "check"  # 签到时长: recorded by check-in and check-out
    staff = "staff"  # 补录时长: entered or changed by staff, with who and why


class CheckInWay(StrEnum):
    """How a volunteer's arrival was recorded (issue 17: hours come from being there)."""

    self_ = "self"  # the volunteer pressed 签到 on their own phone
    scan = "scan"  # the volunteer scanned the task's short-lived check-in QR code on site
    staff = "staff"  # staff checked them in on the roster (one, or 全部签到)


class Signup(SQLModel, table=True):
    """One volunteer on one task; a cancelled signup is reused if they sign up again."""

    __table_args__ = (
        UniqueConstraint("task_id", "volunteer_id"),
        CheckConstraint("hours >= 0 AND hours <= 24", name="ck_signup_hours"),
        one_of("signup", "status", SignupStatus),
        one_of("signup", "hours_status", HoursStatus),
        one_of("signup", "hours_source", HoursSource),
        one_of("signup", "check_in_way", CheckInWay),
    )

    id: int = Field(default=None, primary_key=True)  # set on flush (models/base.py)
    task_id: int = Field(foreign_key="task.id", index=True)
    volunteer_id: int = Field(foreign_key="volunteer.id", index=True)
    status: SignupStatus = enum_field(SignupStatus, index=True)
    created_at: datetime = dt_field(default_now=True)  # arrival order for the waitlist
    check_in_at: datetime | None = dt_field(nullable=True)
    check_out_at: datetime | None = dt_field(nullable=True)
    check_in_way: CheckInWay | None = enum_field(CheckInWay, optional=True)
    walk_in: bool = False  # added on the spot by staff, not signed up beforehand
    hours: float = Field(default=0.0, ge=0, le=24)
    hours_status: HoursStatus = enum_field(HoursStatus, default=HoursStatus.none)
    hours_source: HoursSource = enum_field(HoursSource, default=HoursSource.check)
    hours_entered_by: int | None = Field(default=None, foreign_key="account.id")  # 补录 by
    hours_reason: str = Field(default="", max_length=200)  # why staff entered or changed them
    approved_by: int | None = Field(default=None, foreign_key="account.id")
    approved_at: datetime | None = dt_field(nullable=True)


class HoursMonth(SQLModel, table=True):
    """Approved hours per community and month of the task's start (Asia/Shanghai): kept at
    every write of a task or a sign-up, in its transaction (services/hours_months.py), so
    the monthly hours chart reads a few rows a month instead of a year of sign-ups."""

    __tablename__ = "hours_month"

    community_id: int = Field(foreign_key="community.id", primary_key=True)
    month: str = Field(primary_key=True, max_length=7)  # YYYY-MM
    signups: int = 0  # approved sign-ups (a month of approved zero hours still shows)
    hours: float = 0.0
