"""The events' figures and chart data for the dashboard and the events page: events held
in a period, how full and how well attended they were, and the same per month.

Only published and done events count (drafts and cancelled events count for nothing).
Whole months that are over come from the counts kept at every write
(services/event_months.py: a few rows a month); the days around them (the month under
way, where only the events started by now count as held, and the ends of a custom
period) are read from the events of those days only, with their registrations. The
lists and cards are services/event_reads.py.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import ColumnElement, case, func
from sqlmodel import Session, col, select

from models.base import local, utcnow
from models.events import Event, EventMonth, EventStatus, Registration, RegistrationStatus
from services.db import local_bounds, month_of
from services.event_months import split


def _in_period(
    start: date, end: date, community_ids: list[int] | None
) -> list[ColumnElement[bool]]:
    begin, finish = local_bounds(start, end)
    conditions = [
        col(Event.starts_at) >= begin,
        col(Event.starts_at) < finish,
        col(Event.status).in_([EventStatus.published, EventStatus.done]),
    ]
    if community_ids is not None:
        conditions.append(col(Event.community_id).in_(community_ids))
    return conditions


def _people(conditions: list[ColumnElement[bool]]):
    """People confirmed and attended per event, of the events meeting `conditions` only."""
    confirmed = col(Registration.status) == RegistrationStatus.confirmed
    return (
        select(
            col(Registration.event_id).label("event_id"),
            func.sum(case((confirmed, Registration.party_size), else_=0)).label("confirmed"),
            func.sum(case((col(Registration.attended), Registration.party_size), else_=0)).label(
                "attended"
            ),
        )
        .join(Event, col(Event.id) == Registration.event_id)
        .where(*conditions)
        .group_by(col(Registration.event_id))
        .subquery()
    )


def _this_month() -> date:
    """The first day of the month under way (Asia/Shanghai): months before it are over."""
    return local(utcnow()).date().replace(day=1)


def _month_range(
    first: date, last: date, community_ids: list[int] | None
) -> list[ColumnElement[bool]]:
    conditions = [
        col(EventMonth.month) >= first.strftime("%Y-%m"),
        col(EventMonth.month) < last.strftime("%Y-%m"),
    ]
    if community_ids is not None:
        conditions.append(col(EventMonth.community_id).in_(community_ids))
    return conditions


def event_figures(
    *,
    session: Session,
    community_ids: list[int] | None,
    start: date,
    end: date,
    today: date | None = None,
) -> dict[str, Any]:
    """Events held in [start, end) and how full and how well attended they were. "Held"
    means started by now: `today` (the dashboard's common signature) changes nothing."""
    now = utcnow()
    whole, rest = split(start, end, upto=_this_month())
    events = capacity_sum = confirmed = attended = 0
    if whole is not None:
        row = session.exec(
            select(
                func.sum(EventMonth.events),
                func.sum(EventMonth.capacity),
                func.sum(EventMonth.confirmed),
                func.sum(EventMonth.attended),
            ).where(*_month_range(*whole, community_ids))
        ).one()
        events, capacity_sum, confirmed, attended = (int(v or 0) for v in row)
    for a, b in rest:
        held = [*_in_period(a, b, community_ids), col(Event.starts_at) <= now]
        reg = _people(held)
        row = session.exec(
            select(
                func.count(col(Event.id)),
                func.sum(Event.capacity),
                func.sum(reg.c.confirmed),
                func.sum(reg.c.attended),
            )
            .join(reg, reg.c.event_id == Event.id, isouter=True)
            .where(*held)
        ).one()
        # PostgreSQL sums integers as NUMERIC: plain ints for the arithmetic below
        events += int(row[0] or 0)
        capacity_sum += int(row[1] or 0)
        confirmed += int(row[2] or 0)
        attended += int(row[3] or 0)
    return {
        "events": events,
        "attendees": attended,
        "attendance_rate": attended / confirmed if confirmed else None,
        "fill_rate": confirmed / capacity_sum if capacity_sum else None,
    }


def events_by_month(
    *, session: Session, community_ids: list[int] | None, start: date, end: date
) -> pd.DataFrame:
    """Events per month and category (category codes)."""
    whole, rest = split(start, end)
    pieces: list[tuple[date, list]] = []  # per part of the period: its rows, in order
    if whole is not None:
        total = func.sum(EventMonth.events)
        pieces.append(
            (
                whole[0],
                list(
                    session.exec(
                        select(col(EventMonth.month), col(EventMonth.category), total)
                        .where(*_month_range(*whole, community_ids))
                        .group_by(col(EventMonth.month), col(EventMonth.category))
                        .having(total > 0)
                        .order_by(col(EventMonth.month), col(EventMonth.category))
                    ).all()
                ),
            )
        )
    month = month_of(session, Event.starts_at)
    for a, b in rest:
        stmt = (
            select(month, Event.category, func.count())
            .where(*_in_period(a, b, community_ids))
            .group_by(month, col(Event.category))
            .order_by(month, col(Event.category))
        )
        pieces.append((a, list(session.exec(stmt).all())))
    rows = [(m, c, int(n)) for _, part in sorted(pieces, key=lambda p: p[0]) for m, c, n in part]
    return pd.DataFrame(rows, columns=["month", "category", "events"])


def event_rates_by_month(
    *, session: Session, community_ids: list[int] | None, start: date, end: date
) -> pd.DataFrame:
    """Fill rate (confirmed / capacity) and attendance rate (attended / confirmed) per month."""
    whole, rest = split(start, end, upto=_this_month())
    rows: list[tuple[str, Any, Any, Any]] = []  # one per month: sorted below
    if whole is not None:
        rows += session.exec(
            select(
                col(EventMonth.month),
                func.sum(EventMonth.capacity),
                func.sum(EventMonth.confirmed),
                func.sum(EventMonth.attended),
            )
            .where(*_month_range(*whole, community_ids))
            .group_by(col(EventMonth.month))
            .having(func.sum(EventMonth.events) > 0)
        ).all()
    month = month_of(session, Event.starts_at)
    now = utcnow()
    for a, b in rest:
        held = [*_in_period(a, b, community_ids), col(Event.starts_at) <= now]
        reg = _people(held)
        rows += session.exec(
            select(
                month, func.sum(Event.capacity), func.sum(reg.c.confirmed), func.sum(reg.c.attended)
            )
            .join(reg, reg.c.event_id == Event.id, isouter=True)
            .where(*held)
            .group_by(month)
        ).all()
    rows.sort(key=lambda row: row[0])
    # the rates worked out row by row, the frame made once (a dozen rows: pandas'
    # column operations cost more than the arithmetic)
    table = []
    for month_name, *sums in rows:
        capacity, confirmed, attended = (int(v or 0) for v in sums)  # PostgreSQL: Decimal
        table.append(
            (
                month_name,
                capacity,
                confirmed,
                attended,
                _rate(confirmed, capacity),
                _rate(attended, confirmed),
            )
        )
    columns = ["month", "capacity", "confirmed", "attended", "fill_rate", "attendance_rate"]
    return pd.DataFrame(table, columns=columns).astype(_RATES_TYPES)


_RATES_TYPES = {
    "capacity": "int64",
    "confirmed": "int64",
    "attended": "int64",
    "fill_rate": "float64",
    "attendance_rate": "float64",
}


def _rate(part: int, whole: int) -> float:
    """part / whole to 3 places (NaN without a whole), rounded as pandas rounds."""
    return float(np.round(part / whole, 3)) if whole > 0 else float("nan")
