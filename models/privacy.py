"""Personal information as the law asks (个人信息保护法, 网络安全法): who looked at or took
away whose record (the access log, kept at least six months), and a volunteer's request
to correct what the board holds about them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, text
from sqlmodel import Field, SQLModel

from models.base import dt_field, enum_field, one_of


class AccessKind(StrEnum):
    """What was done with personal data: a full record opened on screen, a file taken
    away (an Excel register, one person's data), or a document printed (a PDF)."""

    view = "view"
    export = "export"
    print = "print"


class AccessLogEntry(SQLModel, table=True):
    """One look at or take-away of personal data. `record_type` names whose record
    ("elder", "volunteer", "merchant", "registration"; "register" for a whole list);
    `detail` is JSON (the filters, row count and file name of an export; the fields
    shown). Never edited; pruned after the street's `access_log_months`."""

    __tablename__ = "access_log"
    __table_args__ = (one_of("access_log", "kind", AccessKind),)

    id: int = Field(default=None, primary_key=True)  # set on flush (models/base.py)
    at: datetime = dt_field(default_now=True, index=True)
    account_id: int | None = Field(default=None, foreign_key="account.id", index=True)
    role: str = Field(default="", max_length=20)
    kind: AccessKind = enum_field(AccessKind)
    record_type: str = Field(max_length=20, index=True)
    record_id: int | None = Field(default=None, index=True)
    community_id: int | None = Field(default=None, foreign_key="community.id", index=True)
    page: str = Field(default="", max_length=40)
    detail: str = Field(default="{}", max_length=2000)


class CorrectionStatus(StrEnum):
    open = "open"
    done = "done"  # corrected as asked
    declined = "declined"  # not corrected, with the reason in `resolution`


class CorrectionRequest(SQLModel, table=True):
    """A volunteer's request to correct what the board holds about them (PIPL art. 46),
    resolved by their community's staff."""

    __table_args__ = (
        one_of("correctionrequest", "status", CorrectionStatus),
        # one open request per volunteer and item, even for two presses at once
        Index(
            "ux_correctionrequest_open",
            "volunteer_id",
            "field",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
    )

    id: int = Field(default=None, primary_key=True)  # set on flush (models/base.py)
    volunteer_id: int = Field(foreign_key="volunteer.id", index=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    field: str = Field(max_length=40)  # which item, e.g. "phone", "name", "hours", "other"
    current_value: str = Field(default="", max_length=200)  # as the board held it
    requested: str = Field(max_length=500)  # what the volunteer says is right
    status: CorrectionStatus = enum_field(CorrectionStatus, default=CorrectionStatus.open)
    created_at: datetime = dt_field(default_now=True)
    created_by: int | None = Field(default=None, foreign_key="account.id")
    resolved_by: int | None = Field(default=None, foreign_key="account.id")
    resolved_at: datetime | None = dt_field(nullable=True)
    resolution: str = Field(default="", max_length=500)
