"""Merchants (商户), the proxy requests (红色代办) run for them, the rectifications (整改)
a 差评 opens, and the filings (申报) merchants have made."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Index, text
from sqlmodel import Field, SQLModel, UniqueConstraint

from models.base import dt_field, enum_field, one_of


class Merchant(SQLModel, table=True):
    # One active shop of a name per community (a closed one may share it).
    __table_args__ = (
        Index(
            "ux_merchant_active_name",
            "community_id",
            "shop_name",
            unique=True,
            sqlite_where=text("active"),
            postgresql_where=text("active"),
        ),
    )

    id: int = Field(default=None, primary_key=True)  # set on flush (models/base.py)
    shop_name: str = Field(max_length=80, index=True)
    owner_name: str = Field(max_length=40)
    phone: str = Field(max_length=20)
    address: str = Field(max_length=200)
    business_type: str = Field(default="", max_length=40)
    community_id: int = Field(foreign_key="community.id", index=True)
    licence_due: date | None = None
    notes: str = Field(default="", max_length=1000)
    active: bool = True


class ProxyStatus(StrEnum):
    submitted = "submitted"
    accepted = "accepted"
    in_progress = "in_progress"
    done = "done"
    rejected = "rejected"


class ProxyRequest(SQLModel, table=True):
    __table_args__ = (
        CheckConstraint(
            "satisfaction IS NULL OR (satisfaction >= 1 AND satisfaction <= 5)",
            name="ck_proxyrequest_satisfaction",
        ),
        CheckConstraint("due_on >= requested_on", name="ck_proxyrequest_due_on"),
        one_of("proxyrequest", "status", ProxyStatus),
        # done in a period (figures, medians), the board's recently done and rejected
        # requests done in a period, with what their figures group and measure by, read
        # from the index alone: the median days to done over a year of a district's
        # requests read the table row by row (issue 16)
        Index(
            "ix_proxyrequest_done_figures",
            "status",
            "done_at",
            "community_id",
            "agent_account_id",
            "requested_on",
        ),
        Index("ix_proxyrequest_status_requested_on", "status", "requested_on"),
        # the board's call-back group: done, waiting for a rating, newest first
        Index(
            "ix_proxyrequest_call_back",
            "done_at",
            sqlite_where=text("status = 'done' AND satisfaction IS NULL"),
            postgresql_where=text("status = 'done' AND satisfaction IS NULL"),
        ),
        Index("ix_proxyrequest_rated_at", "rated_at"),  # 差评 rated in a period
    )

    id: int = Field(default=None, primary_key=True)  # set on flush (models/base.py)
    merchant_id: int = Field(foreign_key="merchant.id", index=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    kind: str = Field(
        max_length=20
    )  # 年报/年检, 证照办理, 缴水电费, 代收快递, 照料家中老人, 政策咨询, other
    detail: str = Field(default="", max_length=2000)
    requested_on: date = Field(index=True)
    due_on: date = Field(index=True)
    agent_account_id: int | None = Field(default=None, foreign_key="account.id", index=True)
    status: ProxyStatus = enum_field(ProxyStatus, default=ProxyStatus.submitted, index=True)
    reject_reason: str = Field(default="", max_length=500)
    done_at: datetime | None = dt_field(nullable=True)
    # The merchant's 好差评: 5 非常满意, 4 满意, 3 基本满意, 2 不满意, 1 非常不满意
    # (services.proxy.RATINGS); rated_at is when it was given.
    satisfaction: int | None = Field(default=None, ge=1, le=5)
    rated_at: datetime | None = dt_field(nullable=True)
    feedback: str = Field(default="", max_length=1000)
    created_at: datetime = dt_field(default_now=True)


class ProxyIntakeMonth(SQLModel, table=True):
    """Requests taken in per community, month (of requested_on) and kind: kept at every
    write of a request, in its transaction (services/proxy_months.py)."""

    __tablename__ = "proxy_intake_month"

    community_id: int = Field(foreign_key="community.id", primary_key=True)
    month: str = Field(primary_key=True, max_length=7)  # YYYY-MM
    kind: str = Field(primary_key=True, max_length=20)
    requests: int = 0


class ProxyDoneMonth(SQLModel, table=True):
    """Requests done per community, local month of done_at and agent (0: none): how many,
    how many by the end of their due day, and the sum and count of their ratings. Kept at
    every write of a request, in its transaction (services/proxy_months.py)."""

    __tablename__ = "proxy_done_month"

    community_id: int = Field(foreign_key="community.id", primary_key=True)
    month: str = Field(primary_key=True, max_length=7)  # YYYY-MM, Asia/Shanghai
    agent_id: int = Field(primary_key=True)  # the agent's account id, 0 when unassigned
    done: int = 0
    on_time: int = 0
    rated: int = 0
    rating_sum: int = 0


class ProxyRequestChange(SQLModel, table=True):
    """Every status change of a request, time-stamped with who made it."""

    id: int = Field(default=None, primary_key=True)  # set on flush (models/base.py)
    request_id: int = Field(foreign_key="proxyrequest.id", index=True)
    from_status: str | None = Field(default=None, max_length=20)
    to_status: str = Field(max_length=20)
    at: datetime = dt_field(default_now=True)
    by_account_id: int | None = Field(default=None, foreign_key="account.id")
    note: str = Field(default="", max_length=500)


class CallBackOutcome(StrEnum):
    """What the call-back (回访) after a rectification found."""

    resolved = "resolved"  # 问题已解决，商户认可
    explained = "explained"  # 已说明情况，商户理解


class ProxyRectification(SQLModel, table=True):
    """The rectification (整改) a 差评 opens: due by `deadline` (working days after the
    rating, services.rectifications), closed by a call-back to the merchant."""

    __table_args__ = (
        CheckConstraint("deadline >= opened_on", name="ck_proxyrectification_deadline"),
        one_of("proxyrectification", "outcome", CallBackOutcome),
    )

    id: int = Field(default=None, primary_key=True)  # set on flush (models/base.py)
    request_id: int = Field(foreign_key="proxyrequest.id", unique=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    opened_on: date = Field(index=True)  # the local day of the rating
    deadline: date
    called_at: datetime | None = dt_field(nullable=True)  # the call-back; None while open
    called_by_account_id: int | None = Field(default=None, foreign_key="account.id")
    outcome: CallBackOutcome | None = enum_field(CallBackOutcome, optional=True)
    note: str = Field(default="", max_length=500)


class FilingKind(StrEnum):
    """The recurring filings of a 个体工商户 (services.filings holds their windows)."""

    annual_report = "annual_report"  # 年度报告, 1 January - 30 June, for the year before
    tax_settlement = "tax_settlement"  # 经营所得汇算清缴, 1 January - 31 March


class MerchantFiling(SQLModel, table=True):
    """Staff's mark that a merchant filed (on their own, or with help outside the board)
    in the window of `year`: one per merchant, filing and year."""

    __table_args__ = (
        UniqueConstraint("merchant_id", "kind", "year"),
        one_of("merchantfiling", "kind", FilingKind),
    )

    id: int = Field(default=None, primary_key=True)  # set on flush (models/base.py)
    merchant_id: int = Field(foreign_key="merchant.id", index=True)
    kind: FilingKind = enum_field(FilingKind)
    year: int  # the year whose window it was filed in (an annual report of 2025: 2026)
    filed_on: date
    recorded_by_account_id: int | None = Field(default=None, foreign_key="account.id")
    recorded_at: datetime = dt_field(default_now=True)
