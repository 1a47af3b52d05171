"""志愿服务记录证明: the numbered certificates of service a community issues to a
volunteer (民政部《志愿服务记录与证明出具办法》), kept so the number can be checked on
the board and the same certificate printed again."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint
from sqlmodel import Field, SQLModel

from models.base import dt_field


class ServiceCertificate(SQLModel, table=True):
    """One certificate as issued: its number, whose service, the period, the totals it
    states and a digest of the services listed (so a check can tell a certificate whose
    lines were altered). Never changed after issue; a correction is a new certificate."""

    __table_args__ = (
        CheckConstraint("period_start <= period_end", name="ck_servicecertificate_period"),
        CheckConstraint(
            "service_count >= 0 AND total_hours >= 0", name="ck_servicecertificate_totals"
        ),
    )

    id: int = Field(default=None, primary_key=True)  # set on flush (models/base.py)
    number: str = Field(max_length=40, unique=True)
    volunteer_id: int = Field(foreign_key="volunteer.id", index=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    period_start: date
    period_end: date
    service_count: int
    total_hours: float
    digest: str = Field(max_length=64)  # sha256 hex of the services' lines
    person_in_charge: str = Field(max_length=40)
    contact_phone: str = Field(max_length=20)
    issued_by: int = Field(foreign_key="account.id")
    issued_at: datetime = dt_field(default_now=True)
