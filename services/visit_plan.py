"""The visit plan (探访计划): when each elder was last visited, how many days ago, and
whether they are overdue or due this week.

An elder is due on the earlier of two days: their last visit on or before `today` (never
visited: their registration) plus their interval, and the day after a major change with
no visit since (services/major_changes.py). They are overdue once that day has passed;
due this week when not overdue and it comes within the next DUE_SOON_DAYS days. Voided
visits count nowhere. These rules are
written once here, in SQL (_PlanTerms), and read by the overdue and due-this-week lists
and the overdue count (the dashboard's figure and its trend). One elder's page reads
elder_plan: the same last visit and interval, and the day the elder falls due.

Not here: the tiers themselves (services/visit_policy.py: interval_expr in SQL, place
in Python), the registry and who sees what (services/elders.py), visit
records and the charts about visiting (services/visits.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import CTE, ColumnElement, func
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select, SelectOfScalar

from models.elders import Elder, ElderChange, Visit
from models.org import Community, Grid
from services.access import Actor
from services.db import days_since, smallest
from services.elders import (
    LIST_LIMIT,
    VISITING,
    age_on,
    as_listed,
    in_scope,
    situations_of,
    visible_elder,
)
from services.major_changes import CHANGE_DUE_DAYS, pending_change_day
from services.visit_memory import remember
from services.visit_policy import (
    NEVER,
    Placement,
    Policy,
    effective_policy,
    interval_expr,
    place,
    tiers_for,
)

DUE_SOON_DAYS = 7


def _overdue(overdue_by: ColumnElement[int]) -> ColumnElement[bool]:
    return overdue_by > 0


def _due_soon(overdue_by: ColumnElement[int]) -> ColumnElement[bool]:
    return (overdue_by <= 0) & (overdue_by > -DUE_SOON_DAYS)


@dataclass(frozen=True)
class _PlanTerms:
    """SQL for the plan of the elders in question on one day; join `last_visits` on
    elder_id. Each elder's latest visit is looked up once, in the (elder, day) index, so
    a list or a count reads the visits of the elders it shows, never the whole history
    (a GROUP BY over every visit grew with the years)."""

    last_visits: CTE  # elder_id, last_visit: the latest visit on or before the day
    interval: ColumnElement[int]
    overdue_by: ColumnElement[int]  # days past the due day (negative: days left)


def _plan_terms(session: Session, today: date, elders: SelectOfScalar[Any]) -> _PlanTerms:
    """`elders`: a select of the ids of the elders in question (Elder.id, filtered)."""
    latest = (
        select(func.max(Visit.visited_on))
        .where(col(Visit.elder_id) == Elder.id, col(Visit.visited_on) <= today, ~col(Visit.voided))
        .correlate(Elder)
        .scalar_subquery()
    )
    # MATERIALIZED: computed once per elder, not again wherever the terms below use it
    last_visits = (
        elders.add_columns(latest.label("last_visit"))
        .cte("last_visits")
        .prefix_with("MATERIALIZED")
    )
    last_visit = last_visits.c.last_visit
    interval = interval_expr(session, today)
    since = days_since(session, today, func.coalesce(last_visit, Elder.registered_on))
    since_change = days_since(session, today, pending_change_day(today, last_visit))
    days_left = smallest(
        session, interval - since, func.coalesce(CHANGE_DUE_DAYS - since_change, NEVER)
    )
    return _PlanTerms(last_visits=last_visits, interval=interval, overdue_by=-days_left)


# --- the lists ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanList:
    """A list of the plan (overdue, or due this week) and how many it holds in all."""

    total: int
    rows: pd.DataFrame  # at most LIST_LIMIT rows, most overdue first


def _plan_list(
    session: Session,
    actor: Actor,
    today: date,
    community_id: int | None,
    condition: Callable[[ColumnElement[int]], ColumnElement[bool]],
    limit: int,
) -> PlanList:
    """The elders in the actor's scope whose days overdue meet `condition`: each elder's
    plan computed once (a MATERIALIZED CTE), the rows and their total in one statement."""
    actor.require(VISITING)
    in_care: SelectOfScalar[Any] = in_scope(
        select(col(Elder.id).label("elder_id")), actor, community_id
    ).where(Elder.active)
    terms = _plan_terms(session, today, in_care)
    last = terms.last_visits
    plan = (
        select(
            last.c.elder_id,
            last.c.last_visit,
            terms.interval.label("interval"),
            terms.overdue_by.label("overdue_by"),
        )
        .join_from(last, Elder, last.c.elder_id == Elder.id)
        .cte("plan")
        .prefix_with("MATERIALIZED")
    )
    # more columns than sqlmodel's select() types: the Select type names them
    plan_select = Select[int, str, str, str, str, date, str, str | None, date | None, int, int, int]
    limit = max(1, min(limit, LIST_LIMIT))
    rows = session.exec(
        plan_select(
            col(Elder.id),
            col(Elder.name),
            col(Elder.phone),
            col(Elder.address),
            col(Elder.situations),
            col(Elder.birth_date),
            col(Community.name).label("community"),
            col(Grid.name).label("grid"),
            plan.c.last_visit,
            plan.c.interval,
            plan.c.overdue_by,
            func.count().over().label("total"),
        )
        .join_from(plan, Elder, plan.c.elder_id == Elder.id)
        .join(Community, col(Community.id) == Elder.community_id)
        .join(Grid, col(Grid.id) == Elder.grid_id, isouter=True)
        .where(condition(plan.c.overdue_by))
        .order_by(plan.c.overdue_by.desc(), col(Elder.id))
        .limit(limit)
    ).all()
    columns = [
        "id",
        "name",
        "phone",
        "address",
        "situations",
        "birth_date",
        "community",
        "grid",
        "last_visit",
        "interval",
        "overdue_by",
        "total",
    ]
    frame = pd.DataFrame(rows, columns=columns)
    total = int(frame["total"].iloc[0]) if len(frame) else 0
    frame = frame.drop(columns="total")
    frame["due_in"] = -frame["overdue_by"]
    return PlanList(total=total, rows=as_listed(session, actor, frame, today))


def overdue_elders(
    *,
    session: Session,
    actor: Actor,
    today: date,
    community_id: int | None = None,
    limit: int = LIST_LIMIT,
) -> PlanList:
    """Active elders whose last visit is older than their interval, most overdue first.

    `total` counts them all; `rows` holds the first `limit` (at most LIST_LIMIT), with
    name, age, community, grid, last_visit, interval, overdue_by (days), due_in (days,
    -overdue_by), visitors and unassigned, phone and address masked per role. A
    dashboard shows the top few with limit=5."""
    return _plan_list(session, actor, today, community_id, _overdue, limit)


def due_this_week(
    *,
    session: Session,
    actor: Actor,
    today: date,
    community_id: int | None = None,
    limit: int = LIST_LIMIT,
) -> PlanList:
    """Active elders not yet overdue who fall due within the next DUE_SOON_DAYS days;
    the rows as overdue_elders."""
    return _plan_list(session, actor, today, community_id, _due_soon, limit)


# --- the overdue count -------------------------------------------------------------------


def overdue_count(*, session: Session, community_ids: list[int] | None, today: date) -> int:
    """How many elders were overdue on `today` (for the dashboard and its trend): those
    registered by then and in care on that day, whatever their state now."""
    return remember(
        session,
        "overdue_count",
        (community_ids, today),
        lambda: _overdue_count(session, community_ids, today),
        reads_to=today,
    )


def _overdue_count(session: Session, community_ids: list[int] | None, today: date) -> int:
    in_care: SelectOfScalar[Any] = select(col(Elder.id).label("elder_id")).where(
        Elder.registered_on <= today,
        col(Elder.active) | (col(Elder.deactivated_on) > today),
    )
    if community_ids is not None:
        in_care = in_care.where(col(Elder.community_id).in_(community_ids))
    terms = _plan_terms(session, today, in_care)
    last = terms.last_visits
    stmt = (
        select(func.count())
        .select_from(Elder)
        .join(last, last.c.elder_id == Elder.id)
        .where(_overdue(terms.overdue_by))
    )
    return session.exec(stmt).one()


# --- one elder -----------------------------------------------------------------------------


def elder_placement(policy: Policy, elder: Elder, today: date) -> Placement:
    """One elder's tier and why, in Python (place, the twin of the lists' interval_expr;
    tests/services/test_elders.py checks they agree for every elder of the demo)."""
    return place(
        tiers_for(policy, elder.community_id),
        age_on(elder.birth_date, today),
        situations_of(elder),
        elder.care_level,
    )


@dataclass(frozen=True)
class ElderPlan:
    placement: Placement  # the tier and why
    last_visit: date | None  # the latest visit on or before the day asked
    change_day: date | None  # a major change with no visit since: due the day after
    next_due: date

    @property
    def interval(self) -> int:
        return self.placement.interval


def elder_plan(*, session: Session, actor: Actor, elder_id: int, today: date) -> ElderPlan:
    """When one elder was last visited and falls due next (whoever may open the elder)."""
    elder = visible_elder(session, actor, elder_id).elder
    placement = elder_placement(effective_policy(session), elder, today)
    last = session.exec(
        select(func.max(Visit.visited_on)).where(
            Visit.elder_id == elder_id, col(Visit.visited_on) <= today, ~col(Visit.voided)
        )
    ).one()
    change = session.exec(
        select(func.min(ElderChange.occurred_on)).where(
            ElderChange.elder_id == elder_id,
            col(ElderChange.occurred_on) <= today,
            col(ElderChange.occurred_on) > (last or date.min),
        )
    ).one()
    due = (last or elder.registered_on) + timedelta(days=placement.interval)
    if change is not None:
        due = min(due, change + timedelta(days=CHANGE_DUE_DAYS))
    return ElderPlan(placement=placement, last_visit=last, change_day=change, next_due=due)
