"""Elders in the community's care (老人), who visits them, and the visits (探访)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Index, text
from sqlmodel import Field, SQLModel

from models.base import dt_field

LIVING_SITUATIONS = ("独居", "空巢", "高龄", "失能", "留守", "计生特殊")
VISIT_MODES = ("上门", "电话", "视频")
HAZARDS = ("gas", "electricity", "falls", "fire")
WELLBEING = ("good", "fair", "poor")


class Elder(SQLModel, table=True):
    __table_args__ = (
        CheckConstraint("care_level >= 0 AND care_level <= 4", name="ck_elder_care_level"),
    )

    id: int = Field(default=None, primary_key=True)  # set on flush (models/base.py)
    name: str = Field(max_length=40, index=True)
    birth_date: date
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


class ElderVisitor(SQLModel, table=True):
    """An account (staff, grid worker or volunteer) assigned to visit an elder."""

    elder_id: int = Field(foreign_key="elder.id", primary_key=True)
    account_id: int = Field(foreign_key="account.id", primary_key=True, index=True)


class VisitPolicy(SQLModel, table=True):
    """One rule of the visit interval table; the most frequent applying rule wins.
    One row per rule for the street (community_id NULL) and per rule and community."""

    __table_args__ = (
        CheckConstraint(
            "interval_days >= 1 AND interval_days <= 366", name="ck_visitpolicy_interval_days"
        ),
        Index(
            "ux_visitpolicy_street_rule",
            "situation",
            unique=True,
            sqlite_where=text("community_id IS NULL"),
            postgresql_where=text("community_id IS NULL"),
        ),
        Index(
            "ux_visitpolicy_community_rule",
            "community_id",
            "situation",
            unique=True,
            sqlite_where=text("community_id IS NOT NULL"),
            postgresql_where=text("community_id IS NOT NULL"),
        ),
    )

    id: int = Field(default=None, primary_key=True)  # set on flush (models/base.py)
    community_id: int | None = Field(default=None, foreign_key="community.id", index=True)
    # the rule: a living situation, "age80", "care2"/"care3"/"care4" (care level n or
    # higher) or "default" (services/visit_policy.py RULES)
    situation: str = Field(max_length=20)
    interval_days: int = Field(ge=1, le=366)


class Visit(SQLModel, table=True):
    __table_args__ = (
        Index("ix_visit_elder_day", "elder_id", "visited_on"),  # last visit per elder
        Index("ix_visit_day_mode", "visited_on", "mode"),  # visits per month and mode
    )

    id: int = Field(default=None, primary_key=True)  # set on flush (models/base.py)
    elder_id: int = Field(foreign_key="elder.id", index=True)
    visitor_account_id: int | None = Field(default=None, foreign_key="account.id", index=True)
    visitor_name: str = Field(default="", max_length=40)
    visited_on: date
    mode: str = Field(max_length=10)  # 上门 / 电话 / 视频
    wellbeing: str = Field(default="", max_length=20)
    hazards: str = Field(
        default="", max_length=100
    )  # comma-separated: gas, electricity, falls, fire
    needs_raised: str = Field(default="", max_length=1000)
    follow_up: str = Field(default="", max_length=1000)
    created_at: datetime = dt_field(default_now=True)
