"""The proxy services' figures and chart data, aggregated in SQL over a period: requests
taken in and done, on-time rate, median days to done, the merchants' rating and the 差评
rectification rate (for the dashboard, the meeting screen and the proxy board).

Plain numbers and frames by community or agent, never a merchant's name; no access
check here: callers pass the communities the reader may see.
"""

from __future__ import annotations

from datetime import date
from typing import Any, TypeVar

import pandas as pd
from sqlalchemy import ColumnElement, Select, SQLColumnExpression, and_, case, func, literal, or_
from sqlmodel import Session, col, select

from models.accounts import Account
from models.org import Community
from models.proxy import ProxyRectification, ProxyRequest, ProxyStatus
from services.db import days_from_date_to_ts, local_bounds, month_of_date
from services.rectifications import BAD_RATING

_Stmt = TypeVar("_Stmt", bound=Select[*tuple[Any, ...]])


def _scoped(stmt: _Stmt, community_ids: list[int] | None) -> _Stmt:
    if community_ids is None:
        return stmt
    return stmt.where(col(ProxyRequest.community_id).in_(community_ids))


def _on_time(session: Session) -> ColumnElement[int]:
    """1 when a request was done by the end of its due day in Asia/Shanghai."""
    late_by = days_from_date_to_ts(session, ProxyRequest.due_on, ProxyRequest.done_at)
    return case((late_by < 1, 1), else_=0)


def _done_in(start: date, end: date) -> ColumnElement[bool]:
    begin, finish = local_bounds(start, end)
    done_at = col(ProxyRequest.done_at)
    return and_(col(ProxyRequest.status) == ProxyStatus.done, done_at >= begin, done_at < finish)


def proxy_figures(
    *,
    session: Session,
    community_ids: list[int] | None,
    start: date,
    end: date,
    today: date | None = None,
) -> dict[str, Any]:
    """Requests taken in, done (with average rating, on-time rate and median days) in
    [start, end). Sums over the period: `today` (the dashboard's common signature) changes
    nothing."""
    requested = session.exec(
        _scoped(
            select(func.count())
            .select_from(ProxyRequest)
            .where(ProxyRequest.requested_on >= start, ProxyRequest.requested_on < end),
            community_ids,
        )
    ).one()
    done, rating, in_time = session.exec(
        _scoped(
            select(
                func.count(), func.avg(ProxyRequest.satisfaction), func.sum(_on_time(session))
            ).where(_done_in(start, end)),
            community_ids,
        )
    ).one()
    medians = median_days_to_done(
        session=session, community_ids=community_ids, start=start, end=end, by="all"
    )
    return {
        "requests": requested,
        "done": done,
        "satisfaction": round(float(rating), 2) if rating is not None else None,
        "on_time_rate": (in_time or 0) / done if done else None,
        "median_days_to_done": float(medians["median_days"].iloc[0]) if len(medians) else None,
    }


def median_days_to_done(
    *,
    session: Session,
    community_ids: list[int] | None,
    start: date,
    end: date,
    by: str = "community",
) -> pd.DataFrame:
    """Median days from request to done, per community (or agent, or all), in SQL: days
    from local midnight of the request day, and the mean of the two middle values when
    the count is even."""
    days = days_from_date_to_ts(session, ProxyRequest.requested_on, ProxyRequest.done_at)
    group: SQLColumnExpression[str] = {
        "community": col(Community.name),
        "agent": func.coalesce(Account.display_name, ""),
        "all": literal("all"),
    }[by]
    ordered = _scoped(
        select(
            group.label("grp"),
            days.label("days"),
            func.row_number().over(partition_by=group, order_by=days).label("rn"),
            func.count().over(partition_by=group).label("cnt"),
        )
        .join(Community, col(Community.id) == col(ProxyRequest.community_id))
        .join(Account, col(Account.id) == col(ProxyRequest.agent_account_id), isouter=True)
        .where(_done_in(start, end)),
        community_ids,
    ).subquery()
    rows = session.exec(
        select(ordered.c.grp, func.avg(ordered.c.days))
        .where(
            # the middle row, or the two middle rows of an even count (whole-number
            # division: `/` would divide exactly and miss the lower middle row)
            or_(
                ordered.c.rn == (ordered.c.cnt + 1) // 2,
                ordered.c.rn == (ordered.c.cnt + 2) // 2,
            )
        )
        .group_by(ordered.c.grp)
        .order_by(ordered.c.grp)
    ).all()
    return pd.DataFrame(
        [{by: g, "median_days": round(float(d), 1)} for g, d in rows], columns=[by, "median_days"]
    )


def requests_by_month(
    *, session: Session, community_ids: list[int] | None, start: date, end: date
) -> pd.DataFrame:
    """Requests taken in per month and kind (kind codes)."""
    month = month_of_date(session, ProxyRequest.requested_on)
    rows = session.exec(
        _scoped(
            select(month, ProxyRequest.kind, func.count())
            .where(ProxyRequest.requested_on >= start, ProxyRequest.requested_on < end)
            .group_by(month, col(ProxyRequest.kind))
            .order_by(month),
            community_ids,
        )
    ).all()
    return pd.DataFrame(rows, columns=["month", "kind", "requests"])


def service_quality(
    *,
    session: Session,
    community_ids: list[int] | None,
    start: date,
    end: date,
    by: str = "community",
) -> pd.DataFrame:
    """Per community (or per agent, for staff pages only): done, on-time rate (rounded to
    3 places), average rating and median days to done."""
    group: SQLColumnExpression[str] = (
        col(Community.name) if by == "community" else func.coalesce(Account.display_name, "")
    )
    rows = session.exec(
        _scoped(
            select(
                group,
                func.count(),
                func.sum(_on_time(session)),
                func.avg(ProxyRequest.satisfaction),
            )
            .join(Community, col(Community.id) == col(ProxyRequest.community_id))
            .join(Account, col(Account.id) == col(ProxyRequest.agent_account_id), isouter=True)
            .where(_done_in(start, end))
            .group_by(group)
            .order_by(group),
            community_ids,
        )
    ).all()
    frame = pd.DataFrame(rows, columns=[by, "done", "on_time", "satisfaction"])
    frame["on_time_rate"] = (frame["on_time"] / frame["done"]).round(3)
    frame["satisfaction"] = frame["satisfaction"].astype(float).round(2)
    medians = median_days_to_done(
        session=session, community_ids=community_ids, start=start, end=end, by=by
    )
    return frame.drop(columns=["on_time"]).merge(medians, on=by, how="left")


def rectification_rate(
    *, session: Session, community_ids: list[int] | None, start: date, end: date
) -> dict[str, Any]:
    """The 差评 rectification rate: of the 差评 (不满意 or worse) rated in [start, end)
    (Beijing dates), the share rectified by their deadline, that is whose rectification
    was closed with a call-back by the end of its deadline day. `bad` counts the 差评,
    `rectified` those closed in time; `rate` is None without any 差评. A 差评 rated
    before rectifications existed (migration 0004) has none and counts as not rectified."""
    rect = ProxyRectification
    begin, finish = local_bounds(start, end)
    rated_at = col(ProxyRequest.rated_at)
    late_by = days_from_date_to_ts(session, rect.deadline, rect.called_at)
    bad, rectified = session.exec(
        _scoped(
            select(func.count(), func.sum(case((late_by < 1, 1), else_=0)))
            .select_from(ProxyRequest)
            .join(rect, col(rect.request_id) == col(ProxyRequest.id), isouter=True)
            .where(
                col(ProxyRequest.satisfaction) <= BAD_RATING,
                rated_at >= begin,
                rated_at < finish,
            ),
            community_ids,
        )
    ).one()
    return {
        "bad": bad,
        "rectified": rectified or 0,
        "rate": (rectified or 0) / bad if bad else None,
    }
