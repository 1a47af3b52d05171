"""The street (街道) the board serves, its communities (社区), and their grids (网格)."""

from __future__ import annotations

from sqlalchemy import CheckConstraint
from sqlmodel import Field, SQLModel, UniqueConstraint

# How far the street admin got through the first-start steps (views/setup.py); each step
# may be done or skipped, and everything can be done later on the organisation page.
SETUP_STEPS = ("street", "communities", "grids", "accounts")


class Street(SQLModel, table=True):
    """The one street office using this board: its name and district, the first-start
    step it has reached (len(SETUP_STEPS) once the steps are done or skipped), and its
    settings (the working days a 差评's rectification has)."""

    __table_args__ = (
        CheckConstraint(
            "rectification_days >= 1 AND rectification_days <= 30",
            name="ck_street_rectification_days",
        ),
        CheckConstraint(
            "access_log_months >= 6 AND access_log_months <= 120",
            name="ck_street_access_log_months",
        ),
        CheckConstraint(
            "inactive_retention_years >= 1 AND inactive_retention_years <= 30",
            name="ck_street_inactive_retention_years",
        ),
        CheckConstraint(
            "registrant_phone_days >= 1 AND registrant_phone_days <= 365",
            name="ck_street_registrant_phone_days",
        ),
    )

    id: int = Field(default=None, primary_key=True)  # set on flush (models/base.py)
    name: str = Field(default="", max_length=60)
    district: str = Field(default="", max_length=60)
    setup_step: int = 0
    # working days a 差评's rectification (整改) has, from the day of the rating
    rectification_days: int = Field(default=5, ge=1, le=30)
    # how long personal data is kept (issue 15, services/retention.py): the access log
    # (网络安全法: at least six months), the personal data of elders and volunteers after
    # they were deactivated, and a public registrant's phone after the event
    access_log_months: int = Field(default=6, ge=6, le=120)
    inactive_retention_years: int = Field(default=3, ge=1, le=30)
    registrant_phone_days: int = Field(default=30, ge=1, le=365)


class Community(SQLModel, table=True):
    id: int = Field(default=None, primary_key=True)  # set on flush (models/base.py)
    name: str = Field(max_length=60, unique=True)
    street: str = Field(max_length=60)
    district: str = Field(max_length=60)
    active: bool = True
    # who signs for the community and the office's public phone (on its certificates of
    # volunteer service, models/certificates.py)
    person_in_charge: str = Field(default="", max_length=40)
    office_phone: str = Field(default="", max_length=20)
    # the webhook URL of the community's 企业微信 group robot (群机器人), pasted by the admin:
    # reminders go to the group through it (services/outbox.py); "" sends none
    wecom_webhook: str = Field(default="", max_length=300)


class Grid(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("community_id", "name"),)

    id: int = Field(default=None, primary_key=True)  # set on flush (models/base.py)
    community_id: int = Field(foreign_key="community.id", index=True)
    name: str = Field(max_length=60)
    worker_account_id: int | None = Field(default=None, foreign_key="account.id")
    active: bool = True
