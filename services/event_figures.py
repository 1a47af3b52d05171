"""The events' figures and chart data for the dashboard and the events page: events held
in a period, how full and how well attended they were, and the same per month.

Aggregation happens in SQL over published and done events (drafts and cancelled events
count for nothing). The lists and cards are services/event_reads.py.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, func
from sqlmodel import Session, col, select

from models.base import utcnow
from models.events import Event, EventStatus
from services.db import local_bounds, month_of
from services.registrations import people_per_event


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
    held = [*_in_period(start, end, community_ids), col(Event.starts_at) <= now]
    reg = people_per_event()
    events, capacity_sum, confirmed, attended = session.exec(
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
    confirmed, attended, capacity_sum = (
        int(confirmed or 0),
        int(attended or 0),
        int(capacity_sum or 0),
    )
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
    month = month_of(session, Event.starts_at)
    rows = session.exec(
        select(month, Event.category, func.count())
        .where(*_in_period(start, end, community_ids))
        .group_by(month, col(Event.category))
        .order_by(month)
    ).all()
    return pd.DataFrame(rows, columns=["month", "category", "events"])


def event_rates_by_month(
    *, session: Session, community_ids: list[int] | None, start: date, end: date
) -> pd.DataFrame:
    """Fill rate (confirmed / capacity) and attendance rate (attended / confirmed) per month."""
    month = month_of(session, Event.starts_at)
    reg = people_per_event()
    rows = session.exec(
        select(month, func.sum(Event.capacity), func.sum(reg.c.confirmed), func.sum(reg.c.attended))
        .join(reg, reg.c.event_id == Event.id, isouter=True)
        .where(*_in_period(start, end, community_ids), col(Event.starts_at) <= utcnow())
        .group_by(month)
        .order_by(month)
    ).all()
    frame = pd.DataFrame(rows, columns=["month", "capacity", "confirmed", "attended"]).fillna(0)
    counts = ["capacity", "confirmed", "attended"]
    frame[counts] = frame[counts].astype(int)  # PostgreSQL sums come back as Decimal
    frame["fill_rate"] = (
        frame["confirmed"] / frame["capacity"].where(frame["capacity"] > 0)
    ).round(3)
    frame["attendance_rate"] = (
        frame["attended"] / frame["confirmed"].where(frame["confirmed"] > 0)
    ).round(3)
    return frame
