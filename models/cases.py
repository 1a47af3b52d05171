"""Residents' needs, grid cases and disputes (需求清单 → 满意清单): one table of cases, one
history of their steps, the mediation record of a dispute, the departments the street
calls in (吹哨), each category's time limit, and the office's own changes to the
working-day calendar.

The workflow (services/cases.py) follows the grid-management standard (GB/T 30428):
上报 → 受理 (立案, or 不予受理) → 派遣 (the clock starts) → 处置 → 反馈 → 核查结案 → 回访评价;
a call-back of 不满意 or worse sends the case back for rectification (整改).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Index
from sqlmodel import Field, SQLModel

from models.base import dt_field, enum_field, one_of


class CaseSource(StrEnum):
    patrol = "patrol"  # 巡查/走访 (a grid worker's round, an elder visit)
    walk_in = "walk_in"  # 居民来访
    council = "council"  # 议事厅 / 顺心茶馆
    hotline = "hotline"  # 12345 热线
    phone = "phone"  # 电话
    other = "other"


class CaseCategory(StrEnum):
    facilities = "facilities"  # 设施维修 (a street lamp, water supply)
    sanitation = "sanitation"  # 环境卫生
    property_dispute = "property_dispute"  # 物业纠纷
    neighbour_dispute = "neighbour_dispute"  # 邻里纠纷
    family_dispute = "family_dispute"  # 家庭纠纷
    policy = "policy"  # 政策咨询
    help = "help"  # 求助
    complaint = "complaint"  # 投诉/举报
    other = "other"


# The categories that are disputes (人民调解): they carry a mediation record.
DISPUTES = frozenset(
    {CaseCategory.property_dispute, CaseCategory.neighbour_dispute, CaseCategory.family_dispute}
)


class CaseUrgency(StrEnum):
    on_the_spot = "on_the_spot"  # 当场解决: due the day it is dispatched
    urgent = "urgent"  # 紧急
    normal = "normal"  # 一般


class CaseStatus(StrEnum):
    reported = "reported"  # 上报, waiting to be accepted
    declined = "declined"  # 不予受理, with a reason (final)
    accepted = "accepted"  # 受理/立案, waiting to be dispatched
    escalated = "escalated"  # 吹哨: the community asked the street; waiting for its dispatch
    dispatched = "dispatched"  # 派遣: to a person, a team or a department; the clock runs
    in_progress = "in_progress"  # 处置
    handled = "handled"  # 反馈: the handler reported the result; waiting for 核查
    closed = "closed"  # 核查结案 (resolved or not); waiting for the call-back
    rectifying = "rectifying"  # a call-back of 不满意 or worse: 整改 by `rectify_due`
    satisfied = "satisfied"  # a call-back of 基本满意 or better (满意清单, final)
    unreachable = "unreachable"  # closed, no call-back possible (no resident to ask; final)


# The five levels of 好差评, as stored in `Case.satisfaction` and `CaseStep.level`:
# 5 非常满意, 4 满意, 3 基本满意, 2 不满意, 1 非常不满意 (2 and 1 are 差评).
SATISFACTION_LEVELS = (5, 4, 3, 2, 1)
SATISFIED_FROM = 3  # 基本满意 and better count as satisfied


class Case(SQLModel, table=True):
    __tablename__ = "resident_case"  # "case" is a word of SQL
    __table_args__ = (
        one_of("resident_case", "source", CaseSource),
        one_of("resident_case", "category", CaseCategory),
        one_of("resident_case", "urgency", CaseUrgency),
        one_of("resident_case", "status", CaseStatus),
        CheckConstraint(
            "satisfaction IS NULL OR (satisfaction >= 1 AND satisfaction <= 5)",
            name="ck_resident_case_satisfaction",
        ),
        Index("ix_resident_case_community_reported", "community_id", "reported_at"),
        Index("ix_resident_case_status_due", "status", "due_on"),
    )

    id: int = Field(default=None, primary_key=True)  # set on flush (models/base.py)
    number: str = Field(max_length=20, unique=True)  # e.g. 2026-0123, per street and year
    community_id: int = Field(foreign_key="community.id", index=True)
    grid_id: int | None = Field(default=None, foreign_key="grid.id", index=True)
    source: CaseSource = enum_field(CaseSource)
    category: CaseCategory = enum_field(CaseCategory)
    urgency: CaseUrgency = enum_field(CaseUrgency, default=CaseUrgency.normal)
    place: str = Field(default="", max_length=120)
    description: str = Field(max_length=1000)
    # the resident who raised it (optional: a broken lamp found on a round has none)
    resident_name: str = Field(default="", max_length=40)
    resident_phone: str = Field(default="", max_length=20)
    elder_id: int | None = Field(default=None, foreign_key="elder.id", index=True)
    visit_id: int | None = Field(default=None, foreign_key="visit.id")  # found on this visit
    status: CaseStatus = enum_field(CaseStatus, default=CaseStatus.reported, index=True)
    reported_at: datetime = dt_field(default_now=True)
    reported_by: int = Field(foreign_key="account.id")
    accepted_at: datetime | None = dt_field(nullable=True)
    decline_reason: str = Field(default="", max_length=200)
    # dispatch (派遣): one of a person, a volunteer team, or a department (吹哨)
    dispatched_at: datetime | None = dt_field(nullable=True)
    assignee_account_id: int | None = Field(default=None, foreign_key="account.id", index=True)
    assignee_team_id: int | None = Field(default=None, foreign_key="team.id")
    department_id: int | None = Field(default=None, foreign_key="casedepartment.id", index=True)
    due_on: date | None = None  # the time limit's last day, from the dispatch (and extensions)
    escalated_at: datetime | None = dt_field(nullable=True)  # 吹哨
    department_answered_at: datetime | None = dt_field(nullable=True)  # 报到
    handled_at: datetime | None = dt_field(nullable=True)  # 反馈
    result: str = Field(default="", max_length=500)  # what was done, as fed back
    closed_at: datetime | None = dt_field(nullable=True)  # 核查结案 (the first closing)
    resolved: bool | None = None  # at 核查结案: was the need met
    called_back_at: datetime | None = dt_field(nullable=True)  # the latest call-back
    satisfaction: int | None = None  # the latest call-back's level (SATISFACTION_LEVELS)
    rectify_due: date | None = None  # while rectifying: the rectification's last day
    updated_at: datetime = dt_field(default_now=True)


class CaseStepKind(StrEnum):
    report = "report"
    accept = "accept"
    decline = "decline"
    escalate = "escalate"
    dispatch = "dispatch"
    department_answer = "department_answer"  # 报到
    start = "start"
    feedback = "feedback"
    close = "close"
    call_back = "call_back"
    unreachable = "unreachable"
    reopen = "reopen"  # a 差评 call-back: rectification
    send_back = "send_back"  # 核查不通过: the handler's result did not hold; back to 处置
    extend = "extend"  # a longer time limit, with a reason and who approved it
    note = "note"
    mediation = "mediation"


class CaseStep(SQLModel, table=True):
    """One step of a case, time-stamped with who did it; nothing here is ever changed."""

    __table_args__ = (one_of("casestep", "kind", CaseStepKind),)

    id: int = Field(default=None, primary_key=True)  # set on flush (models/base.py)
    case_id: int = Field(foreign_key="resident_case.id", index=True)
    kind: CaseStepKind = enum_field(CaseStepKind)
    at: datetime = dt_field(default_now=True)
    account_id: int = Field(foreign_key="account.id")
    account_name: str = Field(max_length=40)  # as it read then
    note: str = Field(default="", max_length=500)
    to_whom: str = Field(default="", max_length=80)  # dispatch: the person, team or department
    level: int | None = None  # call_back: the satisfaction level (SATISFACTION_LEVELS)
    new_due: date | None = None  # extend / reopen: the new last day
    approved_by: str = Field(default="", max_length=40)  # extend: who approved it


class CasePhotoStage(StrEnum):
    report = "report"  # taken at 上报: what was found (the broken lamp)
    result = "result"  # taken at 反馈: what was done (the lamp repaired)


# What a stored photo and its thumbnail are at most a side (services/case_photos.py).
PHOTO_LONGEST_SIDE = 1280
THUMBNAIL_LONGEST_SIDE = 320


class CasePhoto(SQLModel, table=True):
    """A photo of a case, taken at its report or with its result. Stored as the service
    made it (services/case_photos.py): a JPEG of at most PHOTO_LONGEST_SIDE px a side,
    turned upright and stripped of its EXIF (a phone's photo carries where it was taken).
    The thumbnail is what a case's card shows (a phone loads a few kB per photo, not the
    whole photo). Never deleted from the board."""

    __table_args__ = (
        one_of("casephoto", "stage", CasePhotoStage),
        CheckConstraint(
            f"width > 0 AND height > 0 AND width <= {PHOTO_LONGEST_SIDE} "
            f"AND height <= {PHOTO_LONGEST_SIDE}",
            name="ck_casephoto_size",
        ),
    )

    id: int = Field(default=None, primary_key=True)  # set on flush (models/base.py)
    case_id: int = Field(foreign_key="resident_case.id", index=True)
    stage: CasePhotoStage = enum_field(CasePhotoStage)
    content_type: str = Field(default="image/jpeg", max_length=30)
    data: bytes  # the photo itself
    thumbnail: bytes  # a JPEG of at most THUMBNAIL_LONGEST_SIDE px a side
    width: int
    height: int
    taken_by: int = Field(foreign_key="account.id")  # who attached it
    created_at: datetime = dt_field(default_now=True)  # the time of its report or feedback


class CaseNumber(SQLModel, table=True):
    """The last case number given in a year (services/cases.py): one row per year, counted
    up in the transaction that reports a case, so two reporters at the same moment never
    draw the same number."""

    year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    last: int


class CaseDepartment(SQLModel, table=True):
    """A department the street calls in (部门报到): 城管, 房管, 供水, 派出所 …"""

    id: int = Field(default=None, primary_key=True)  # set on flush (models/base.py)
    name: str = Field(max_length=60, unique=True)
    contact_name: str = Field(default="", max_length=40)
    contact_phone: str = Field(default="", max_length=20)
    active: bool = True


class CaseLimit(SQLModel, table=True):
    """Each category's time limit (the admin edits them): `days` working days after the
    dispatch, or calendar days when `working_days` is false (disputes: 30 days)."""

    __table_args__ = (
        one_of("caselimit", "category", CaseCategory),
        CheckConstraint("days >= 0 AND days <= 90", name="ck_caselimit_days"),
    )

    id: int = Field(default=None, primary_key=True)  # set on flush (models/base.py)
    category: str = Field(max_length=20, unique=True)  # a CaseCategory value
    days: int
    working_days: bool = True


class MediationSource(StrEnum):
    application = "application"  # 申请
    initiative = "initiative"  # 主动
    transferred = "transferred"  # 移交 (公安, 政府)
    entrusted = "entrusted"  # 委托 (法院)


class MediationOutcome(StrEnum):
    written = "written"  # 达成协议 (书面)
    oral = "oral"  # 达成协议 (口头)
    failed = "failed"  # 未达成, referred on (`referred_to`)


class Mediation(SQLModel, table=True):
    """The 人民调解 record of a dispute case (one per case)."""

    __table_args__ = (
        one_of("mediation", "source", MediationSource),
        one_of("mediation", "outcome", MediationOutcome),
    )

    id: int = Field(default=None, primary_key=True)  # set on flush (models/base.py)
    case_id: int = Field(foreign_key="resident_case.id", unique=True)
    parties: str = Field(max_length=300)
    source: MediationSource = enum_field(MediationSource)
    facts: str = Field(default="", max_length=1000)
    mediator_name: str = Field(max_length=40)
    mediated_on: date | None = None
    outcome: MediationOutcome | None = enum_field(MediationOutcome, optional=True)
    terms: str = Field(default="", max_length=1000)  # the agreed terms
    perform_by: date | None = None  # the agreement's deadline
    referred_to: str = Field(default="", max_length=80)  # when no agreement
    performance_checked_on: date | None = None  # 回访 on whether it was performed
    performed: bool | None = None
    performance_note: str = Field(default="", max_length=300)


class CalendarDay(SQLModel, table=True):
    """The office's own change to the working-day calendar (services/working_days.py):
    a day made a holiday or a working day, over the State Council's schedule."""

    day: date = Field(primary_key=True)
    working: bool
    note: str = Field(default="", max_length=60)
