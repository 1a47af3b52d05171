"""Proxy request figures per community and month, kept up to date at every write of a
request.

The figures and charts (services/proxy_figures.py) counted a year of requests at every
run (district size: about 50,000 done a year). Instead each flush of a request (taken
in, moved on, done, rated, reassigned) moves its contribution in two summary tables,
in the same transaction:

- `proxy_intake_month`: requests taken in per community, month of requested_on and kind;
- `proxy_done_month`: requests done per community, local month of done_at and agent
  (0: none), with how many were done by the end of their due day and the sum and count
  of their ratings.

A figure over whole months reads a few rows per month; the summaries never disagree
with the requests (tests/services/test_proxy_months.py recounts). Bulk inserts (the demo
loader) bypass the flush: they call rebuild() afterwards.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import case, delete, event, func, insert, inspect
from sqlalchemy import select as core_select
from sqlmodel import Session, col, select

from models.base import LOCAL_TZ, local
from models.proxy import ProxyDoneMonth, ProxyIntakeMonth, ProxyRequest, ProxyStatus
from services import data_versions, kept_counts

# Written in the transactions of these tables' writes, beside the ORM: a read of the
# counts depends on their versions (services/data_versions.py).
for _kept in ("proxy_intake_month", "proxy_done_month"):
    data_versions.kept_from(_kept, ("proxyrequest",))

IntakeKey = tuple[int, str, str]  # community, YYYY-MM, kind
DoneKey = tuple[int, str, int]  # community, YYYY-MM (Asia/Shanghai), agent (0: none)
DONE_FIELDS = ("done", "on_time", "rated", "rating_sum")
_FIELDS = (
    "community_id",
    "requested_on",
    "kind",
    "status",
    "done_at",
    "due_on",
    "satisfaction",
    "agent_account_id",
)


def on_time(done_at: datetime, due_on: date) -> bool:
    """Done by the end of its due day in Asia/Shanghai (as proxy_figures counts it)."""
    return local(done_at) < datetime.combine(
        due_on + timedelta(days=1), datetime.min.time(), LOCAL_TZ
    )


def _before(row: ProxyRequest, name: str) -> Any:
    """The value an attribute had when the request was loaded (before this flush)."""
    history = inspect(row).attrs[name].history
    if history.deleted:
        return history.deleted[0]
    return getattr(row, name)


def _add(
    intake: Counter[IntakeKey],
    done: dict[DoneKey, Counter[str]],
    values: dict[str, Any],
    sign: int,
) -> None:
    """Adds (sign 1) or takes away (sign -1) what a request in `values` counts for."""
    month = values["requested_on"].strftime("%Y-%m")
    intake[(values["community_id"], month, values["kind"])] += sign
    if values["status"] != ProxyStatus.done or values["done_at"] is None:
        return
    key = (
        values["community_id"],
        local(values["done_at"]).strftime("%Y-%m"),
        values["agent_account_id"] or 0,
    )
    moves = done.setdefault(key, Counter())
    moves["done"] += sign
    moves["on_time"] += sign * on_time(values["done_at"], values["due_on"])
    if values["satisfaction"] is not None:
        moves["rated"] += sign
        moves["rating_sum"] += sign * values["satisfaction"]


@event.listens_for(Session, "before_flush")
def _count_requests(session: Session, _context, _instances) -> None:
    intake: Counter[IntakeKey] = Counter()
    done: dict[DoneKey, Counter[str]] = {}
    with session.no_autoflush:
        for row in session.new:
            if isinstance(row, ProxyRequest):
                _add(intake, done, {f: getattr(row, f) for f in _FIELDS}, 1)
        for row in session.dirty:
            if not isinstance(row, ProxyRequest) or not session.is_modified(row):
                continue
            _add(intake, done, {f: _before(row, f) for f in _FIELDS}, -1)
            _add(intake, done, {f: getattr(row, f) for f in _FIELDS}, 1)
        for row in session.deleted:
            if isinstance(row, ProxyRequest):
                _add(intake, done, {f: _before(row, f) for f in _FIELDS}, -1)
    intake_moves = {key: n for key, n in intake.items() if n}
    done_moves = {key: m for key, m in done.items() if any(m.values())}
    if not intake_moves and not done_moves:
        return
    connection = session.connection()
    kept_counts.add(
        connection,
        ProxyIntakeMonth,
        ("community_id", "month", "kind"),
        [
            {"community_id": c, "month": month, "kind": kind, "requests": n}
            for (c, month, kind), n in intake_moves.items()
        ],
    )
    kept_counts.add(
        connection,
        ProxyDoneMonth,
        ("community_id", "month", "agent_id"),
        [
            {"community_id": c, "month": month, "agent_id": agent, **{f: m[f] for f in DONE_FIELDS}}
            for (c, month, agent), m in done_moves.items()
        ],
    )


def rebuild(session: Session) -> None:
    """Counts every request afresh (after a bulk insert that bypassed the flush)."""
    # services.db registers this module's listener
    from services.db import days_from_date_to_ts, month_of, month_of_date

    r = ProxyRequest
    requested = month_of_date(session, r.requested_on)
    session.execute(delete(ProxyIntakeMonth))
    session.execute(
        insert(ProxyIntakeMonth).from_select(
            ["community_id", "month", "kind", "requests"],
            select(col(r.community_id), requested, col(r.kind), func.count()).group_by(
                col(r.community_id), requested, col(r.kind)
            ),
        )
    )
    done_month = month_of(session, r.done_at)
    agent = func.coalesce(r.agent_account_id, 0)
    late_by = days_from_date_to_ts(session, r.due_on, r.done_at)
    session.execute(delete(ProxyDoneMonth))
    session.execute(
        insert(ProxyDoneMonth).from_select(
            ["community_id", "month", "agent_id", *DONE_FIELDS],
            core_select(
                col(r.community_id),
                done_month,
                agent,
                func.count(),
                func.sum(case((late_by < 1, 1), else_=0)),
                func.count(col(r.satisfaction)),
                func.coalesce(func.sum(r.satisfaction), 0),
            )
            .where(col(r.status) == ProxyStatus.done, col(r.done_at).is_not(None))
            .group_by(col(r.community_id), done_month, agent),
        )
    )
