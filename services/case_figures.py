"""What the office counts from residents' cases (需求清单 → 满意清单), over a period
[start, end) of local dates, for the dashboard and the meeting screen:

- cases reported: reported_at in the period;
- 响应率: of those, the share whose 受理 decision (the first step accept or decline)
  came within 24 hours of reported_at;
- 按时办结率: of the cases first closed in the period (closed_at) that had a time limit
  (due_on), the share closed on or before that day (local day of closed_at);
- 解决率: of the cases first closed in the period, the share closed as resolved;
- 满意率: of the call-backs made in the period (each call-back once, a case called back
  twice counts twice), the share of 基本满意 or better;
- median days to close: the median of local days from reported_at to closed_at of the
  cases first closed in the period (closed the day it was reported: 0);
- disputes mediated: mediation records with an outcome and mediated_on in the period;
  success rate: the share with an agreement (written or oral).

A rate without a denominator is None (shown "—"): no case is neither 0% nor 100%.
Everything is aggregated in SQL; the frames hold counts and rates per community, grid,
month or category, never a resident. No access check here: callers pass the
communities the reader may see (None: the whole street).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, Date, Integer, and_, case, cast, func, literal
from sqlalchemy import select as core_select
from sqlmodel import Session, col, select

from models.cases import (
    SATISFIED_FROM,
    Case,
    CaseStatus,
    CaseStep,
    CaseStepKind,
    Mediation,
)
from models.org import Community, Grid
from services.cases import RUNNING
from services.db import grouped_median, local_bounds, month_of
from services.mediations import AGREED
from services.visit_plan import community_names

RESPONSE_HOURS = 24
# Cases the office still owes work on (the "needs attention" count): not declined, not
# closed (a closed case waits only for its call-back), not final.
OPEN = (
    CaseStatus.reported,
    CaseStatus.accepted,
    CaseStatus.escalated,
    CaseStatus.dispatched,
    CaseStatus.in_progress,
    CaseStatus.handled,
    CaseStatus.rectifying,
)
FIGURE_KEYS = (
    "cases_reported",
    "case_response_rate",
    "case_on_time_rate",
    "case_resolution_rate",
    "case_satisfaction_rate",
    "case_median_days",
    "disputes_mediated",
    "mediation_success_rate",
)
NO_GRID = 0  # the group of cases reported without a grid


# --- SQL in local time (Asia/Shanghai, UTC+8 without summer time) ---------------------


def _local_day(session: Session, ts: Any) -> Any:
    """SQL for the local date of a UTC timestamp column ('YYYY-MM-DD' on SQLite, as dates
    are stored there, so it compares with a DATE column)."""
    if session.get_bind().dialect.name == "sqlite":
        return func.date(ts, "+8 hours")
    return cast(func.timezone("Asia/Shanghai", ts), Date)


def _local_days_between(session: Session, earlier: Any, later: Any) -> Any:
    """SQL for the whole local days from one timestamp to a later one: 0 on the same day,
    1 from 23:59 to 00:01 the next day."""
    if session.get_bind().dialect.name == "sqlite":
        return cast(
            func.julianday(_local_day(session, later))
            - func.julianday(_local_day(session, earlier)),
            Integer,
        )
    return _local_day(session, later) - _local_day(session, earlier)


def _within_hours(session: Session, earlier: Any, later: Any, hours: int) -> ColumnElement[bool]:
    """SQL: `later` at most `hours` after `earlier` (exactly 24 h is still within 24 h)."""
    if session.get_bind().dialect.name == "sqlite":
        # milliseconds, rounded: julianday's fractions would put an exact day either side
        elapsed = func.round((func.julianday(later) - func.julianday(earlier)) * 86_400_000)
        return elapsed <= hours * 3_600_000
    return later <= earlier + func.make_interval(0, 0, 0, 0, hours)


def _in_communities(column: Any, community_ids: list[int] | None) -> ColumnElement[bool]:
    """The cases of the communities asked for; for the whole street, every community by
    id too, so the (community_id, reported_at) index still serves a range of days."""
    if community_ids is None:
        return col(column).in_(select(Community.id))
    return col(column).in_(community_ids)


def _group(by: str) -> Any:
    return {
        "all": literal(0),
        "community": col(Case.community_id),
        "grid": func.coalesce(Case.grid_id, NO_GRID),
    }[by]


def _between(column: Any, start: date, end: date) -> ColumnElement[bool]:
    begin, finish = local_bounds(start, end)
    return and_(col(column) >= begin, col(column) < finish)


# --- the counts, per group --------------------------------------------------------------


def _reported(session: Session, ids: list[int] | None, start: date, end: date, by: str) -> dict:
    """{group: (reported, decided within 24 h)}."""
    decided_at = (
        select(func.min(CaseStep.at))
        .where(
            col(CaseStep.case_id) == col(Case.id),
            col(CaseStep.kind).in_((CaseStepKind.accept, CaseStepKind.decline)),
        )
        .scalar_subquery()
    )
    in_time = _within_hours(session, Case.reported_at, decided_at, RESPONSE_HOURS)
    group = _group(by)
    rows = session.exec(
        select(group, func.count(), func.sum(case((in_time, 1), else_=0)))
        .where(_in_communities(Case.community_id, ids), _between(Case.reported_at, start, end))
        .group_by(group)
    ).all()
    return {g: (int(n), int(fast or 0)) for g, n, fast in rows}


def _closed(session: Session, ids: list[int] | None, start: date, end: date, by: str) -> dict:
    """{group: (closed, resolved, closed with a time limit, closed by it)}."""
    on_time = and_(
        col(Case.due_on).is_not(None), _local_day(session, Case.closed_at) <= col(Case.due_on)
    )
    group = _group(by)
    rows = session.execute(  # five columns: more than sqlmodel's select types
        core_select(
            group,
            func.count(),
            func.sum(case((col(Case.resolved).is_(True), 1), else_=0)),
            func.count(col(Case.due_on)),
            func.sum(case((on_time, 1), else_=0)),
        )
        .where(_in_communities(Case.community_id, ids), _between(Case.closed_at, start, end))
        .group_by(group)
    ).all()
    return {
        g: (int(n), int(ok or 0), int(limited), int(timely or 0))
        for g, n, ok, limited, timely in rows
    }


def _median_days(session: Session, ids: list[int] | None, start: date, end: date, by: str) -> dict:
    """{group: median local days from report to first closing}."""
    rows = grouped_median(
        session,
        _group(by),
        _local_days_between(session, Case.reported_at, Case.closed_at),
        lambda q: q.where(
            _in_communities(Case.community_id, ids), _between(Case.closed_at, start, end)
        ),
    )
    return {g: float(d) for g, d in rows}


def _call_backs(session: Session, ids: list[int] | None, start: date, end: date, by: str) -> dict:
    """{group: (call-backs in the period, of them 基本满意 or better)}."""
    group = _group(by)
    satisfied = case((col(CaseStep.level) >= SATISFIED_FROM, 1), else_=0)
    rows = session.exec(
        select(group, func.count(), func.sum(satisfied))
        .select_from(CaseStep)
        .join(Case, col(Case.id) == col(CaseStep.case_id))
        .where(
            col(CaseStep.kind) == CaseStepKind.call_back,
            _between(CaseStep.at, start, end),
            _in_communities(Case.community_id, ids),
        )
        .group_by(group)
    ).all()
    return {g: (int(n), int(ok or 0)) for g, n, ok in rows}


def _mediations(session: Session, ids: list[int] | None, start: date, end: date, by: str) -> dict:
    """{group: (disputes mediated in the period, of them with an agreement)}."""
    group = _group(by)
    agreed = case((col(Mediation.outcome).in_(AGREED), 1), else_=0)
    rows = session.exec(
        select(group, func.count(), func.sum(agreed))
        .select_from(Mediation)
        .join(Case, col(Case.id) == col(Mediation.case_id))
        .where(
            col(Mediation.outcome).is_not(None),
            col(Mediation.mediated_on) >= start,
            col(Mediation.mediated_on) < end,
            _in_communities(Case.community_id, ids),
        )
        .group_by(group)
    ).all()
    return {g: (int(n), int(ok or 0)) for g, n, ok in rows}


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _figures_by(
    session: Session, ids: list[int] | None, start: date, end: date, by: str
) -> dict[Any, dict[str, Any]]:
    """Every figure for each group that has anything in the period."""
    reported = _reported(session, ids, start, end, by)
    closed = _closed(session, ids, start, end, by)
    medians = _median_days(session, ids, start, end, by)
    call_backs = _call_backs(session, ids, start, end, by)
    mediations = _mediations(session, ids, start, end, by)
    groups = set(reported) | set(closed) | set(call_backs) | set(mediations)
    figures = {}
    for g in groups:
        n, fast = reported.get(g, (0, 0))
        done, resolved, limited, timely = closed.get(g, (0, 0, 0, 0))
        calls, satisfied = call_backs.get(g, (0, 0))
        mediated, agreed = mediations.get(g, (0, 0))
        figures[g] = {
            "cases_reported": n,
            "case_response_rate": _rate(fast, n),
            "case_on_time_rate": _rate(timely, limited),
            "case_resolution_rate": _rate(resolved, done),
            "case_satisfaction_rate": _rate(satisfied, calls),
            "case_median_days": medians.get(g),
            "disputes_mediated": mediated,
            "mediation_success_rate": _rate(agreed, mediated),
        }
    return figures


def case_figures(
    *,
    session: Session,
    community_ids: list[int] | None,
    start: date,
    end: date,
    today: date | None = None,
) -> dict[str, Any]:
    """The case figures for [start, end) (the dashboard's figure providers' signature;
    sums over the period, so `today` changes nothing)."""
    found = _figures_by(session, community_ids, start, end, "all")
    return found.get(0) or {
        key: 0 if key in ("cases_reported", "disputes_mediated") else None for key in FIGURE_KEYS
    }


def case_figures_by(
    *,
    session: Session,
    community_ids: list[int] | None,
    start: date,
    end: date,
    by: str = "community",
) -> pd.DataFrame:
    """One row per community (or grid: `by="grid"`, named with its community when the
    read spans several) with anything in the period, rates rounded to 3 places, in the
    order of the communities' and grids' ids; cases without a grid come last."""
    found = _figures_by(session, community_ids, start, end, by)
    names = _names(session, by, [g for g in found if g != NO_GRID])
    columns = [by, *FIGURE_KEYS]
    rows = []
    for g in sorted(found, key=lambda g: (g == NO_GRID, g)):
        values = {k: round(v, 3) if isinstance(v, float) else v for k, v in found[g].items()}
        rows.append({by: names.get(g, ""), **values})
    return pd.DataFrame(rows, columns=columns)


def _names(session: Session, by: str, ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    if by == "community":
        names = community_names(session)
        return {i: names[i] for i in ids if i in names}
    rows = session.exec(
        select(Grid.id, Grid.name, Community.name, Grid.community_id)
        .join(Community, col(Community.id) == col(Grid.community_id))
        .where(col(Grid.id).in_(ids))
    ).all()
    several = len({cid for *_, cid in rows}) > 1
    return {gid: f"{cname} {gname}" if several else gname for gid, gname, cname, cid in rows}


def cases_by_month(
    *, session: Session, community_ids: list[int] | None, start: date, end: date
) -> pd.DataFrame:
    """Cases reported per local month (of reported_at) and category (codes)."""
    month = month_of(session, Case.reported_at)
    rows = session.exec(
        select(month, col(Case.category), func.count())
        .where(
            _in_communities(Case.community_id, community_ids),
            _between(Case.reported_at, start, end),
        )
        .group_by(month, col(Case.category))
        .order_by(month, col(Case.category))
    ).all()
    return pd.DataFrame(
        [(m, str(c), int(n)) for m, c, n in rows], columns=["month", "case_category", "cases"]
    )


@dataclass(frozen=True)
class CaseAttention:
    """Cases that need attention today: still open, and of those past their time limit."""

    open: int
    overdue: int


def cases_needing_attention(
    *, session: Session, community_ids: list[int] | None, today: date
) -> CaseAttention:
    """Open cases now, and overdue ones: where the clock runs (services/cases.py:
    dispatched, in progress, rectifying) and the day it must be done by (a
    rectification's rectify_due, else the dispatch's due_on) is before today."""
    due = func.coalesce(Case.rectify_due, Case.due_on)
    overdue = and_(col(Case.status).in_(RUNNING), due < today)
    n_open, n_overdue = session.exec(
        select(func.count(), func.sum(case((overdue, 1), else_=0))).where(
            col(Case.status).in_(OPEN), _in_communities(Case.community_id, community_ids)
        )
    ).one()
    return CaseAttention(open=int(n_open), overdue=int(n_overdue or 0))
