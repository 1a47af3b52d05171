"""The proxy services' figures and chart data, aggregated in SQL over a period: requests
taken in and done, on-time rate, median days to done, the merchants' rating and the 差评
rectification rate (for the dashboard, the meeting screen and the proxy board).

Plain numbers and frames by community or agent, never a merchant's name; no access
check here: callers pass the communities the reader may see.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, TypeVar

import numpy as np
import pandas as pd
from sqlalchemy import (
    ColumnElement,
    Select,
    SQLColumnExpression,
    and_,
    case,
    false,
    func,
    literal,
    true,
    union_all,
)
from sqlalchemy import select as core_select
from sqlmodel import Session, col, select

from models.accounts import Account
from models.org import Community
from models.proxy import (
    ProxyDoneMonth,
    ProxyIntakeMonth,
    ProxyRectification,
    ProxyRequest,
    ProxyStatus,
)
from services.db import days_from_date_to_ts, grouped_median, local_bounds, month_of_date
from services.rectifications import BAD_RATING
from services.visit_plan import community_names

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


def _whole_months(start: date, end: date) -> tuple[date, date] | None:
    """The whole months inside [start, end), as [first day, first day after), if any."""
    first = start if start.day == 1 else (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    last = end.replace(day=1)
    return (first, last) if first < last else None


def _pieces(start: date, end: date) -> tuple[tuple[str, str] | None, list[tuple[date, date]]]:
    """[start, end) as the whole months the summaries hold ('YYYY-MM' from, to excluded)
    and the days before and after them, read from the requests themselves."""
    months = _whole_months(start, end)
    if months is None:
        return None, [(start, end)] if start < end else []
    first, last = months
    edges = [(a, b) for a, b in ((start, first), (last, end)) if a < b]
    return (first.strftime("%Y-%m"), last.strftime("%Y-%m")), edges


def _in(column: Any, community_ids: list[int] | None) -> ColumnElement[bool]:
    return true() if community_ids is None else col(column).in_(community_ids)


def _intake(session: Session, community_ids: list[int] | None, start: date, end: date):
    """Requests taken in [start, end) per community, month and kind: whole months from
    proxy_intake_month, the days around them counted from the requests (indexed)."""
    months, edges = _pieces(start, end)
    parts: list[Select[*tuple[Any, ...]]] = []
    if months is not None:
        m = ProxyIntakeMonth
        parts.append(
            core_select(
                col(m.community_id).label("community_id"),
                col(m.month).label("month"),
                col(m.kind).label("kind"),
                col(m.requests).label("requests"),
            ).where(
                col(m.month) >= months[0],
                col(m.month) < months[1],
                _in(m.community_id, community_ids),
            )
        )
    month = month_of_date(session, ProxyRequest.requested_on)
    for a, b in edges:
        parts.append(
            core_select(
                col(ProxyRequest.community_id).label("community_id"),
                month.label("month"),
                col(ProxyRequest.kind).label("kind"),
                func.count().label("requests"),
            )
            .where(
                col(ProxyRequest.requested_on) >= a,
                col(ProxyRequest.requested_on) < b,
                _in(ProxyRequest.community_id, community_ids),
            )
            .group_by(col(ProxyRequest.community_id), month, col(ProxyRequest.kind))
        )
    if not parts:  # an empty period
        parts.append(
            core_select(
                literal(0).label("community_id"),
                literal("").label("month"),
                literal("").label("kind"),
                literal(0).label("requests"),
            ).where(false())
        )
    return union_all(*parts).subquery()


def _done(session: Session, community_ids: list[int] | None, start: date, end: date):
    """Requests done in [start, end) per community and agent (0: none): done, on time,
    rated and the sum of the ratings; whole months from proxy_done_month, the days
    around them counted from the requests (indexed by status and done_at)."""
    months, edges = _pieces(start, end)
    parts: list[Select[*tuple[Any, ...]]] = []
    if months is not None:
        m = ProxyDoneMonth
        parts.append(
            core_select(
                col(m.community_id).label("community_id"),
                col(m.agent_id).label("agent_id"),
                col(m.done).label("done"),
                col(m.on_time).label("on_time"),
                col(m.rated).label("rated"),
                col(m.rating_sum).label("rating_sum"),
            ).where(
                col(m.month) >= months[0],
                col(m.month) < months[1],
                _in(m.community_id, community_ids),
            )
        )
    agent = func.coalesce(ProxyRequest.agent_account_id, 0)
    for a, b in edges:
        parts.append(
            core_select(
                col(ProxyRequest.community_id).label("community_id"),
                agent.label("agent_id"),
                func.count().label("done"),
                func.sum(_on_time(session)).label("on_time"),
                func.count(col(ProxyRequest.satisfaction)).label("rated"),
                func.coalesce(func.sum(ProxyRequest.satisfaction), 0).label("rating_sum"),
            )
            .where(_done_in(a, b), _in(ProxyRequest.community_id, community_ids))
            .group_by(col(ProxyRequest.community_id), agent)
        )
    if not parts:  # an empty period
        names = ("community_id", "agent_id", "done", "on_time", "rated", "rating_sum")
        parts.append(core_select(*(literal(0).label(n) for n in names)).where(false()))
    return union_all(*parts).subquery()


def _average(rating_sum: Any, rated: Any) -> float | None:
    return int(rating_sum) / int(rated) if rated else None


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
    nothing. The sums come from the monthly summaries (services/proxy_months.py), the
    median from the requests done in the period."""
    intake = _intake(session, community_ids, start, end)
    done_rows = _done(session, community_ids, start, end)
    # one statement, the intake's sum beside the done ones (a round trip each before)
    requested, done, in_time, rated, rating_sum = session.execute(
        core_select(
            select(func.coalesce(func.sum(intake.c.requests), 0)).scalar_subquery(),
            func.coalesce(func.sum(done_rows.c.done), 0),
            func.coalesce(func.sum(done_rows.c.on_time), 0),
            func.coalesce(func.sum(done_rows.c.rated), 0),
            func.coalesce(func.sum(done_rows.c.rating_sum), 0),
        ).select_from(done_rows)
    ).one()
    done, rating = int(done), _average(rating_sum, rated)
    medians = median_days_to_done(
        session=session, community_ids=community_ids, start=start, end=end, by="all"
    )
    return {
        "requests": int(requested),
        "done": done,
        "satisfaction": round(rating, 2) if rating is not None else None,
        "on_time_rate": int(in_time) / done if done else None,
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
    the count is even.

    Grouped by the request's own community or agent id, so the rows come from
    ix_proxyrequest_done_figures alone (joining the names in made SQLite read every
    request's row: 360 ms over a district's year), and the few groups named after. Two
    agents of one name are one group in the counts (service_quality): then the median
    groups by name too."""
    group: SQLColumnExpression[Any] = {
        "community": col(ProxyRequest.community_id),
        "agent": col(ProxyRequest.agent_account_id),
        "all": literal("all"),
    }[by]
    rows = _medians(session, group, community_ids, start, end)
    names = _group_names(session, by, [g for g, _ in rows])
    if len(set(names.values())) < len(names):
        by_name = func.coalesce(Account.display_name, "")
        rows = _medians(session, by_name, community_ids, start, end, by_agent_name=True)
        names = {}
    return pd.DataFrame(
        [{by: names.get(g, g), "median_days": round(float(d), 1)} for g, d in rows],
        columns=[by, "median_days"],
    )


def _medians(
    session: Session,
    group: Any,
    community_ids: list[int] | None,
    start: date,
    end: date,
    *,
    by_agent_name: bool = False,
) -> list[tuple]:
    days = days_from_date_to_ts(session, ProxyRequest.requested_on, ProxyRequest.done_at)

    def scope(q: Any) -> Any:
        q = q.select_from(ProxyRequest)
        if by_agent_name:
            agent = col(Account.id) == col(ProxyRequest.agent_account_id)
            q = q.join(Account, agent, isouter=True)
        return _scoped(q.where(_done_in(start, end)), community_ids)

    return grouped_median(session, group, days, scope)


def _group_names(session: Session, by: str, ids: list[Any]) -> dict[Any, str]:
    """The names service_quality groups by, for the ids a median grouped by: a
    community's name, an agent's display name ("" for none, as the counts' outer join)."""
    if by == "community":
        names = community_names(session)
        return {i: names[i] for i in ids if i in names}
    if by == "agent":
        known = [i for i in ids if i is not None]
        named = session.exec(
            select(Account.id, Account.display_name).where(col(Account.id).in_(known))
        ).all()
        return {None: "", **dict(named)} if None in ids else dict(named)
    return {}


def requests_by_month(
    *, session: Session, community_ids: list[int] | None, start: date, end: date
) -> pd.DataFrame:
    """Requests taken in per month and kind (kind codes), from the monthly summary."""
    intake = _intake(session, community_ids, start, end)
    total = func.sum(intake.c.requests)
    rows = session.exec(
        select(intake.c.month, intake.c.kind, total)
        .group_by(intake.c.month, intake.c.kind)
        .having(total > 0)
        .order_by(intake.c.month, intake.c.kind)
    ).all()
    return pd.DataFrame([(m, k, int(n)) for m, k, n in rows], columns=["month", "kind", "requests"])


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
    done_rows = _done(session, community_ids, start, end)
    group: SQLColumnExpression[str] = (
        col(Community.name) if by == "community" else func.coalesce(Account.display_name, "")
    )
    done = func.sum(done_rows.c.done)
    counted = session.execute(
        core_select(
            group,
            done,
            func.sum(done_rows.c.on_time),
            func.sum(done_rows.c.rated),
            func.sum(done_rows.c.rating_sum),
        )
        .select_from(done_rows)
        .join(Community, col(Community.id) == done_rows.c.community_id)
        .join(Account, col(Account.id) == done_rows.c.agent_id, isouter=True)
        .group_by(group)
        .having(done > 0)
        .order_by(group)
    ).all()
    medians = median_days_to_done(
        session=session, community_ids=community_ids, start=start, end=end, by=by
    )
    median_of = dict(zip(medians[by], medians["median_days"], strict=True))
    # worked out row by row, the frame made once (a score of rows: pandas' column
    # operations and a merge cost more than the arithmetic)
    nan = float("nan")
    rows = []
    for name, n, in_time, rated, rating_sum in counted:
        rating = _average(rating_sum, rated)
        rows.append(
            (
                name,
                int(n),
                float(np.round(rating, 2)) if rating is not None else nan,
                float(np.round(int(in_time) / int(n), 3)),
                median_of.get(name, nan),
            )
        )
    columns = [by, "done", "satisfaction", "on_time_rate", "median_days"]
    return pd.DataFrame(rows, columns=columns).astype(_QUALITY_TYPES)


_QUALITY_TYPES = {
    "done": "int64",
    "satisfaction": "float64",
    "on_time_rate": "float64",
    "median_days": "float64",
}


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
