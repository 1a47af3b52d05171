"""Elders in the community's care (老人), who visits them, and the visits (探访)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Index, text
from sqlmodel import Field, SQLModel

from models.base import dt_field

# The situations an office records (高龄, 80 or older, is derived from the birth date:
# services/elders.py OLD_AGE, never a tag).
LIVING_SITUATIONS = ("独居", "空巢", "留守", "失能", "失智", "重残", "计生特殊", "特困")
# A major change in an elder's life that makes a visit due within a day (services/major_changes.py).
CHANGE_KINDS = ("discharge", "bereavement", "fall", "weather", "other")
GENDERS = ("男", "女")
VISIT_MODES = ("上门", "电话", "视频")
WELLBEING = ("good", "fair", "poor")
# What a visit records in the five content areas an office reports on (健康, 经济, 赡养,
# 安全, 需求): the items of each area's checklist, multi-select, stored comma-separated;
# services/visit_content.py holds the rules. 安全's checklist is the hazards found.
HEALTH_ITEMS = ("unwell", "medication", "doctor", "low_mood", "memory")
ECONOMY_ITEMS = ("hardship", "benefits", "bills", "fraud")
FAMILY_ITEMS = ("visits", "calls", "rarely", "neglect")
HAZARDS = ("gas", "electricity", "falls", "fire", "water", "heating")
NEED_ITEMS = ("care", "rehab", "company", "adaptation")
# The services a need is referred to by name (转介); any other is typed in.
REFERRAL_SERVICES = ("社区卫生服务站", "民政助理", "物业", "志愿服务队")
REFERRAL_STATES = ("open", "done", "not_possible")


class Elder(SQLModel, table=True):
    __table_args__ = (
        CheckConstraint("care_level >= 0 AND care_level <= 4", name="ck_elder_care_level"),
    )

    id: int = Field(default=None, primary_key=True)  # set on flush (models/base.py)
    name: str = Field(max_length=40, index=True)
    birth_date: date
    gender: str = Field(default="", max_length=2)  # GENDERS, or "" when not recorded
    phone: str = Field(default="", max_length=20)
    address: str = Field(max_length=200)
    community_id: int = Field(foreign_key="community.id", index=True)
    grid_id: int | None = Field(default=None, foreign_key="grid.id")
    situations: str = Field(default="", max_length=100)  # comma-separated LIVING_SITUATIONS
    care_level: int = Field(default=0, ge=0, le=4)
    health_notes: str = Field(default="", max_length=1000)
    guardian_name: str = Field(default="", max_length=40)
    guardian_phone: str = Field(default="", max_length=20)
    registered_on: date
    active: bool = True
    deactivated_reason: str = Field(default="", max_length=200)
    deactivated_on: date | None = None
    # personal data removed after the retention period (services/retention.py); the
    # record and its visits stay for the figures
    anonymised_on: date | None = None


class ElderVisitor(SQLModel, table=True):
    """An account (staff, grid worker or volunteer) assigned to visit an elder."""

    elder_id: int = Field(foreign_key="elder.id", primary_key=True)
    account_id: int = Field(foreign_key="account.id", primary_key=True, index=True)


class VisitTier(SQLModel, table=True):
    """One tier of the visit interval table (探访分级): a name, an interval and the
    condition sets that put an elder in it (services/visit_policy.py). The street's tiers
    have no community; a community with tiers of its own uses only its own. A removed
    tier is kept, inactive."""

    __table_args__ = (
        CheckConstraint(
            "interval_days >= 1 AND interval_days <= 366", name="ck_visittier_interval_days"
        ),
        # one active tier of a name in the street's set and in each community's
        Index(
            "ux_visittier_street_name",
            "name",
            unique=True,
            sqlite_where=text("community_id IS NULL AND active"),
            postgresql_where=text("community_id IS NULL AND active"),
        ),
        Index(
            "ux_visittier_community_name",
            "community_id",
            "name",
            unique=True,
            sqlite_where=text("community_id IS NOT NULL AND active"),
            postgresql_where=text("community_id IS NOT NULL AND active"),
        ),
    )

    id: int = Field(default=None, primary_key=True)  # set on flush (models/base.py)
    community_id: int | None = Field(default=None, foreign_key="community.id", index=True)
    name: str = Field(max_length=40)
    interval_days: int = Field(ge=1, le=366)
    # JSON list of condition sets, each {"age": n, "situations": [...], "care": n} with any
    # of the three; [] matches everyone (the default tier)
    conditions: str = Field(default="[]", max_length=1000)
    active: bool = True


class ElderChange(SQLModel, table=True):
    """A major change in an elder's life (出院, 丧偶, 跌倒, …): a visit is due within a day."""

    id: int = Field(default=None, primary_key=True)  # set on flush (models/base.py)
    elder_id: int = Field(foreign_key="elder.id", index=True)
    kind: str = Field(max_length=20)  # CHANGE_KINDS
    occurred_on: date
    note: str = Field(default="", max_length=200)
    recorded_by: int | None = Field(default=None, foreign_key="account.id")
    created_at: datetime = dt_field(default_now=True)


class VisitCampaign(SQLModel, table=True):
    """A campaign (专项探访: 高温, 春节, …) asking a visit of every elder of a group within
    `days` days of its start; the elders asked are kept in VisitCampaignElder."""

    __table_args__ = (CheckConstraint("days >= 1 AND days <= 90", name="ck_visitcampaign_days"),)

    id: int = Field(default=None, primary_key=True)  # set on flush (models/base.py)
    community_id: int | None = Field(default=None, foreign_key="community.id", index=True)
    name: str = Field(max_length=40)
    group_kind: str = Field(max_length=20)  # "tier" or "situation"
    group_value: str = Field(max_length=40)  # the tier's name or the situation
    starts_on: date
    days: int = Field(ge=1, le=90)
    created_by: int | None = Field(default=None, foreign_key="account.id")
    active: bool = True


class VisitCampaignElder(SQLModel, table=True):
    """An elder a campaign asked a visit of (the group as it was when it started)."""

    campaign_id: int = Field(foreign_key="visitcampaign.id", primary_key=True)
    elder_id: int = Field(foreign_key="elder.id", primary_key=True, index=True)


class Visit(SQLModel, table=True):
    __table_args__ = (
        Index("ix_visit_elder_day", "elder_id", "visited_on"),  # last visit per elder
        Index("ix_visit_day_mode", "visited_on", "mode"),  # visits per month and mode
        Index("ix_visit_created", "created_at"),  # the visits new since a look (visit_memory)
    )

    id: int = Field(default=None, primary_key=True)  # set on flush (models/base.py)
    elder_id: int = Field(foreign_key="elder.id", index=True)
    visitor_account_id: int | None = Field(default=None, foreign_key="account.id", index=True)
    visitor_name: str = Field(default="", max_length=40)
    visited_on: date
    mode: str = Field(max_length=10)  # 上门 / 电话 / 视频
    wellbeing: str = Field(default="", max_length=20)
    # the content areas (comma-separated items of HEALTH_ITEMS, … and a note each);
    # 安全 is `hazards` with `safety_note`, 需求 is `needs` with `needs_raised`
    health: str = Field(default="", max_length=100)
    health_note: str = Field(default="", max_length=200)
    economy: str = Field(default="", max_length=100)
    economy_note: str = Field(default="", max_length=200)
    family: str = Field(default="", max_length=100)
    family_note: str = Field(default="", max_length=200)
    hazards: str = Field(default="", max_length=100)  # comma-separated HAZARDS
    safety_note: str = Field(default="", max_length=200)
    needs: str = Field(default="", max_length=100)
    needs_raised: str = Field(default="", max_length=1000)
    follow_up: str = Field(default="", max_length=1000)
    created_at: datetime = dt_field(default_now=True)
    # a visit recorded in error is corrected or voided (kept, a voided one counted
    # nowhere), with the reason of the latest fix: services/visit_fixes.py
    voided: bool = False
    fix_reason: str = Field(default="", max_length=200)


class VisitMonth(SQLModel, table=True):
    """Visits that stand, per community, month and mode: kept at every write of a visit,
    in its transaction (services/visit_months.py), so the monthly charts read a few rows
    a month instead of a year of visits."""

    __tablename__ = "visit_month"

    community_id: int = Field(foreign_key="community.id", primary_key=True)
    month: str = Field(primary_key=True, max_length=7)  # YYYY-MM
    mode: str = Field(primary_key=True, max_length=10)
    visits: int = 0


class VisitMonthEnd(SQLModel, table=True):
    """A community's visit figures of a month that is over: elders overdue on its last
    day, elders under care in it and those of them visited, visits due in it and those
    made on time (services/visit_month_ends.py).
    Computed when first asked for and kept; a write that can change them removes them,
    in its transaction, so they are computed afresh from what the data says then."""

    __tablename__ = "visit_month_end"

    community_id: int = Field(foreign_key="community.id", primary_key=True)
    month: str = Field(primary_key=True, max_length=7)  # YYYY-MM
    overdue: int = 0
    under_care: int = 0
    visited: int = 0
    due: int = 0
    on_time: int = 0


class VisitToday(SQLModel, table=True):
    """A community's visit figures of the month in progress as of one day: elders
    overdue on it, and the month's visits due by it and those made on time
    (services/visit_today.py). Kept like VisitMonthEnd: the writes that can change them
    work them out again in their transaction; the first look of a new day computes them."""

    __tablename__ = "visit_today"

    community_id: int = Field(foreign_key="community.id", primary_key=True)
    day: date = Field(primary_key=True)
    overdue: int = 0
    due: int = 0
    on_time: int = 0


class ElderDue(SQLModel, table=True):
    """An active elder's visit plan as worked out on `computed_on`: their last visit,
    interval and the day they fall due (services/visit_dues.py). It holds for every day
    from `computed_on` until `valid_until` (the next birthday, when the age and so the
    tier can change; or a visit or change dated later), and is worked out again by every
    write about the elder, their visits, changes or tiers, in its transaction."""

    __tablename__ = "elder_due"
    # the overdue and the due soon, counted from the index alone (issue 16)
    __table_args__ = (
        Index("ix_elder_due_day", "due_on", "computed_on", "valid_until", "community_id"),
    )

    elder_id: int = Field(foreign_key="elder.id", primary_key=True)
    community_id: int = Field(foreign_key="community.id")
    last_visit: date | None = None
    interval: int
    due_on: date  # overdue from the day after
    computed_on: date
    valid_until: date


class Referral(SQLModel, table=True):
    """A need found on a visit, referred (转介) to a named service with a deadline, and
    later closed: done or not possible, with a note, the day and who closed it."""

    __table_args__ = (
        CheckConstraint("state IN ('open', 'done', 'not_possible')", name="ck_referral_state"),
        Index("ix_referral_state_due", "state", "due_on"),  # open ones, soonest due first
    )

    id: int = Field(default=None, primary_key=True)  # set on flush (models/base.py)
    visit_id: int = Field(foreign_key="visit.id", index=True)
    elder_id: int = Field(foreign_key="elder.id", index=True)
    service: str = Field(max_length=40)  # one of REFERRAL_SERVICES, or typed in
    need: str = Field(max_length=200)  # what is referred
    due_on: date
    state: str = Field(default="open", max_length=20)  # REFERRAL_STATES
    created_by: int = Field(foreign_key="account.id")
    created_on: date
    closed_on: date | None = None
    closed_by: int | None = Field(default=None, foreign_key="account.id")
    closed_by_name: str = Field(default="", max_length=40)
    closure_note: str = Field(default="", max_length=200)
    created_at: datetime = dt_field(default_now=True)
