"""Cultural events (活动) and registrations for them."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Index
from sqlmodel import Field, SQLModel, UniqueConstraint

from models.base import dt_field, enum_field, one_of


class EventStatus(StrEnum):
    draft = "draft"
    published = "published"
    cancelled = "cancelled"
    done = "done"


class Event(SQLModel, table=True):
    __table_args__ = (
        CheckConstraint("capacity >= 1", name="ck_event_capacity"),
        CheckConstraint("taken >= 0 AND taken <= capacity", name="ck_event_taken"),
        CheckConstraint("volunteers_needed >= 0", name="ck_event_volunteers_needed"),
        one_of("event", "status", EventStatus),
        # the period's events of a status (figures of the month under way, the programme),
        # a community's events in time order (the events page), the upcoming ones
        Index("ix_event_status_starts_at", "status", "starts_at"),
        Index("ix_event_community_starts_at", "community_id", "starts_at"),
        Index("ix_event_ends_at", "ends_at"),
    )

    id: int = Field(default=None, primary_key=True)  # set on flush (models/base.py)
    title: str = Field(max_length=100)
    category: str = Field(max_length=20)  # 非遗体验, 参观, 文艺, 讲座, 公益, other
    community_id: int = Field(foreign_key="community.id", index=True)
    venue: str = Field(max_length=200)
    starts_at: datetime = dt_field(index=True)
    ends_at: datetime = dt_field()
    capacity: int = Field(ge=1)
    taken: int = 0  # confirmed places (party sizes): the guarded counter
    organiser: str = Field(default="", max_length=60)
    partner: str = Field(default="", max_length=100)  # heritage bearer or partner unit
    description: str = Field(default="", max_length=2000)
    status: EventStatus = enum_field(EventStatus, default=EventStatus.draft, index=True)
    waitlist: bool = True
    volunteers_needed: int = 0
    summary: str = Field(default="", max_length=2000)
    photo_captions: str = Field(default="", max_length=2000)
    created_at: datetime = dt_field(default_now=True)


class RegistrationStatus(StrEnum):
    confirmed = "confirmed"
    waitlisted = "waitlisted"
    cancelled = "cancelled"


class Registration(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("code"),
        CheckConstraint("party_size >= 1 AND party_size <= 10", name="ck_registration_party_size"),
        one_of("registration", "status", RegistrationStatus),
    )

    id: int = Field(default=None, primary_key=True)  # set on flush (models/base.py)
    event_id: int = Field(foreign_key="event.id", index=True)
    name: str = Field(max_length=40)
    phone: str = Field(max_length=20, index=True)
    party_size: int = Field(default=1, ge=1, le=10)
    visitor: bool = False  # a tourist rather than a resident
    status: RegistrationStatus = enum_field(RegistrationStatus, index=True)
    code: str = Field(max_length=12)
    attended: bool = False
    checked_in_at: datetime | None = dt_field(nullable=True)
    created_at: datetime = dt_field(default_now=True)
    # the staff member who registered a caller from a signed-in browser; None when the
    # resident registered on the public page
    registered_by: int | None = Field(default=None, foreign_key="account.id")
    # set when the phone was masked in the database, the street's registrant_phone_days
    # after the event (services/retention.py)
    phone_masked_on: date | None = None


class EventMonth(SQLModel, table=True):
    """Published and done events per community, month of their start (Asia/Shanghai) and
    category, with their places and people (confirmed, attended): kept at every write of
    an event or a registration, in its transaction (services/event_months.py), so the
    figures and monthly charts read a few rows a month instead of every registration."""

    __tablename__ = "event_month"

    community_id: int = Field(foreign_key="community.id", primary_key=True)
    month: str = Field(primary_key=True, max_length=7)  # YYYY-MM
    category: str = Field(primary_key=True, max_length=20)
    events: int = 0
    capacity: int = 0  # places offered
    confirmed: int = 0  # people of confirmed registrations
    attended: int = 0  # people checked in
