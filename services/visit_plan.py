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

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import CTE, ColumnElement, case, func, union_all
from sqlalchemy import select as core_select
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select, SelectOfScalar

from models.accounts import Role
from models.elders import Elder, ElderChange, ElderDue, Visit
from models.org import Community, Grid
from services import visit_dues
from services.access import Actor
from services.db import days_since, once_per_read, smallest
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
from services.sensitive import may_see_sensitive, reason_is_sensitive
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


def plan_terms(session: Session, today: date, elders: SelectOfScalar[Any]) -> _PlanTerms:
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


def plan_rows(
    session: Session,
    today: date,
    elders: SelectOfScalar[Any],
    due_before: date,
    all_kept: bool | None = None,
) -> CTE:
    """elder_id, last_visit, interval and overdue_by on `today` of `elders` (a select
    of Elder ids labelled elder_id), at least of those due before `due_before` (the
    others may be left out): the plans kept at the last write about each elder
    (services/visit_dues.py) where they hold for `today`, read through the index on the
    due day; worked out here for the others (a birthday since, a day in the past, a
    database from before the kept plans). `all_kept`: what visit_dues.all_kept said, when
    the caller asked it already."""
    kept = ElderDue
    stored = select(
        col(kept.elder_id),
        col(kept.last_visit),
        col(kept.interval),
        days_since(session, today, kept.due_on).label("overdue_by"),
    ).where(
        col(kept.due_on) < due_before,
        col(kept.elder_id).in_(elders.with_only_columns(col(Elder.id))),
        visit_dues.holds(today),
    )
    if all_kept is None:
        all_kept = visit_dues.all_kept(session, elders, today)
    if all_kept:
        return stored.cte("plan")
    not_kept = elders.where(
        ~select(kept.elder_id).where(kept.elder_id == Elder.id, visit_dues.holds(today)).exists()
    )
    terms = plan_terms(session, today, not_kept)
    last = terms.last_visits
    worked_out = select(
        last.c.elder_id, last.c.last_visit, terms.interval, terms.overdue_by
    ).join_from(last, Elder, last.c.elder_id == Elder.id)
    # MATERIALIZED: each elder's plan once, wherever the statement reads it
    return union_all(stored, worked_out).cte("plan").prefix_with("MATERIALIZED")


# --- the lists ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanList:
    """A list of the plan (overdue, or due this week) and how many it holds in all."""

    total: int
    rows: pd.DataFrame  # at most LIST_LIMIT rows, most overdue first


@dataclass(frozen=True)
class PlanLists:
    """Both lists of the plan, from one pass over the elders."""

    overdue: PlanList
    due_this_week: PlanList


_COLUMNS = [
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
]


def _plan_lists(
    session: Session,
    actor: Actor,
    today: date,
    community_id: int | None,
    limit: int,
    wanted: tuple[bool, ...] = (True, False),
) -> PlanLists:
    """The overdue elders in the actor's scope and those due this week: the first
    `limit` rows of each list, and the lists' totals."""
    actor.require(VISITING)
    in_care: SelectOfScalar[Any] = in_scope(
        select(col(Elder.id).label("elder_id")), actor, community_id
    ).where(Elder.active)
    limit = max(1, min(limit, LIST_LIMIT))
    due_before = today + timedelta(DUE_SOON_DAYS)
    ids = actor.community_ids(community_id)
    communities = ids if ids is not None else every_community(session)
    if visit_dues.all_kept(session, in_care, today, communities):
        frame, totals = _kept_lists(session, actor, community_id, today, due_before, limit, wanted)
    else:
        frame, totals = _worked_out_lists(session, today, in_care, due_before, limit)
    frame["is_overdue"] = frame["is_overdue"].astype(bool)
    frame["due_in"] = -frame["overdue_by"]
    lists = []
    for is_overdue in (True, False):
        part = frame[frame["is_overdue"] == is_overdue].reset_index(drop=True)
        total = totals[is_overdue]
        rows = part.drop(columns=["is_overdue"])
        # names of visitors, masked contacts: only for a list shown; of another only its
        # total, so no row leaves here unmasked
        shown = as_listed(session, actor, rows, today) if is_overdue in wanted else rows[:0]
        lists.append(PlanList(total=total, rows=shown))
    return PlanLists(overdue=lists[0], due_this_week=lists[1])


# what a list shows of each elder, beside their plan (_COLUMNS names them in order)
_ELDER_COLUMNS: tuple[Any, ...] = (
    col(Elder.id),
    col(Elder.name),
    col(Elder.phone),
    col(Elder.address),
    col(Elder.situations),
    col(Elder.birth_date),
    col(Community.name).label("community"),
    col(Grid.name).label("grid"),
)


def _kept_lists(
    session: Session,
    actor: Actor,
    community_id: int | None,
    today: date,
    due_before: date,
    limit: int,
    wanted: tuple[bool, ...],
) -> tuple[pd.DataFrame, dict[bool, int]]:
    """Both lists from the plans kept at each write (every elder in scope has one that
    holds today): the totals from one count, and each list's first rows read in the
    order of the index on the due day, so the lists cost the rows shown, not a sort of
    every elder due this week (a district's 14,000; issue 16)."""

    def kept(stmt: Any, start: date | None, end: date) -> Any:
        stmt = stmt.join(Elder, col(Elder.id) == col(ElderDue.elder_id)).where(
            col(Elder.active), visit_dues.holds(today), col(ElderDue.due_on) < end
        )
        if start is not None:
            stmt = stmt.where(col(ElderDue.due_on) >= start)
        return in_scope(stmt, actor, community_id)

    is_overdue = case((col(ElderDue.due_on) < today, 1), else_=0)
    counted = select(func.count(), func.sum(is_overdue)).select_from(ElderDue)
    if actor.role == Role.volunteer:  # only the elders they visit: Elder's own scope
        counted = kept(counted, None, due_before)
    else:  # kept plans are of active elders only: counted from ix_elder_due_day alone
        counted = counted.where(visit_dues.holds(today), col(ElderDue.due_on) < due_before)
        ids = actor.community_ids(community_id)
        if ids is not None:
            counted = counted.where(col(ElderDue.community_id).in_(ids))
    due, overdue = session.exec(counted).one()
    totals = {True: int(overdue or 0), False: int(due) - int(overdue or 0)}
    plan = (
        col(ElderDue.last_visit),
        col(ElderDue.interval),
        days_since(session, today, ElderDue.due_on).label("overdue_by"),
    )
    frames = []
    for listed, (start, end) in ((True, (None, today)), (False, (today, due_before))):
        if listed not in wanted or not totals[listed]:
            continue
        rows = session.exec(
            kept(core_select(*_ELDER_COLUMNS, *plan).select_from(ElderDue), start, end)
            .join(Community, col(Community.id) == col(Elder.community_id))
            .join(Grid, col(Grid.id) == col(Elder.grid_id), isouter=True)
            .order_by(col(ElderDue.due_on), col(ElderDue.elder_id))
            .limit(limit)
        ).all()
        part = pd.DataFrame(rows, columns=_COLUMNS)
        part["is_overdue"] = listed
        frames.append(part)
    if not frames:
        return pd.DataFrame(columns=[*_COLUMNS, "is_overdue"]), totals
    return pd.concat(frames, ignore_index=True), totals


def _worked_out_lists(
    session: Session, today: date, in_care: Any, due_before: date, limit: int
) -> tuple[pd.DataFrame, dict[bool, int]]:
    """Both lists when some elders in scope have no kept plan for today: each elder's
    plan computed once (a MATERIALIZED CTE), the first `limit` rows of each list and the
    lists' totals in one statement."""
    plan = plan_rows(session, today, in_care, due_before=due_before, all_kept=False)
    overdue = _overdue(plan.c.overdue_by)
    listed = (
        core_select(  # more columns than sqlmodel's select() types
            plan.c.elder_id,
            plan.c.last_visit,
            plan.c.interval,
            plan.c.overdue_by,
            overdue.label("is_overdue"),
            func.row_number()
            .over(partition_by=overdue, order_by=(plan.c.overdue_by.desc(), plan.c.elder_id))
            .label("place"),
            func.count().over(partition_by=overdue).label("total"),
        )
        .where(overdue | _due_soon(plan.c.overdue_by))
        .subquery()
    )
    # more columns than sqlmodel's select() types: the Select type names them
    plan_select = Select[
        int, str, str, str, str, date, str, str | None, date | None, int, int, bool, int
    ]
    rows = session.exec(
        plan_select(
            *_ELDER_COLUMNS,
            listed.c.last_visit,
            listed.c.interval,
            listed.c.overdue_by,
            listed.c.is_overdue,
            listed.c.total,
        )
        .join_from(listed, Elder, listed.c.elder_id == Elder.id)
        .join(Community, col(Community.id) == Elder.community_id)
        .join(Grid, col(Grid.id) == Elder.grid_id, isouter=True)
        .where(listed.c.place <= limit)
        .order_by(listed.c.overdue_by.desc(), col(Elder.id))
    ).all()
    frame = pd.DataFrame(rows, columns=[*_COLUMNS, "is_overdue", "total"])
    totals = {}
    for is_overdue in (True, False):
        of_list = frame.loc[frame["is_overdue"].astype(bool) == is_overdue, "total"]
        totals[is_overdue] = int(of_list.iloc[0]) if len(of_list) else 0
    return frame.drop(columns=["total"]), totals


def plan_lists(
    *,
    session: Session,
    actor: Actor,
    today: date,
    community_id: int | None = None,
    limit: int = LIST_LIMIT,
    due_rows: bool = True,
) -> PlanLists:
    """The overdue list and the due-this-week list (see overdue_elders, due_this_week),
    the first `limit` rows of each; with `due_rows` False the due-this-week list holds
    only its total (the dashboard shows its count)."""
    wanted = (True, False) if due_rows else (True,)
    return _plan_lists(session, actor, today, community_id, limit, wanted)


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
    return _plan_lists(session, actor, today, community_id, limit, (True,)).overdue


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
    return _plan_lists(session, actor, today, community_id, limit, (False,)).due_this_week


# --- the overdue count -------------------------------------------------------------------


def overdue_count(*, session: Session, community_ids: list[int] | None, today: date) -> int:
    """How many elders were overdue on `today` (for the dashboard and its trend): those
    registered by then and in care on that day, whatever their state now."""
    from services.visit_today import today_figures  # it counts with this module

    communities = community_ids if community_ids is not None else every_community(session)
    return sum(f.overdue for f in today_figures(session, communities, today).values())


def every_community(session: Session) -> list[int]:
    """The ids of the street's communities (what a figure of the whole street sums)."""
    return once_per_read(
        session,
        "communities",
        lambda: list(session.exec(select(Community.id).order_by(col(Community.id))).all()),
    )


def community_names(session: Session) -> dict[int, str]:
    """Every community's name by its id (the figures name their rows by it)."""
    return once_per_read(
        session,
        "community_names",
        lambda: dict(session.exec(select(Community.id, Community.name)).all()),
    )


def overdue_per_community(
    session: Session, community_ids: list[int] | None, today: date
) -> dict[int, int]:
    """Per community, how many elders were overdue on `today` (see overdue_count);
    communities with none are left out."""
    in_care: SelectOfScalar[Any] = select(col(Elder.id).label("elder_id")).where(
        Elder.registered_on <= today,
        col(Elder.active) | (col(Elder.deactivated_on) > today),
    )
    if community_ids is not None:
        in_care = in_care.where(col(Elder.community_id).in_(community_ids))
    plan = plan_rows(session, today, in_care, due_before=today)
    stmt = (
        select(col(Elder.community_id), func.count())
        .select_from(Elder)
        .join(plan, plan.c.elder_id == Elder.id)
        .where(_overdue(plan.c.overdue_by))
        .group_by(col(Elder.community_id))
    )
    return {community: int(n) for community, n in session.exec(stmt).all()}


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
    # the tier's reason names a sensitive fact (a care level, 失能, …) the actor may not
    # see: `placement.reason` is None then (services/sensitive.py)
    reason_withheld: bool = False

    @property
    def interval(self) -> int:
        return self.placement.interval


def elder_plan(*, session: Session, actor: Actor, elder_id: int, today: date) -> ElderPlan:
    """When one elder was last visited and falls due next (whoever may open the elder);
    the tier's reason left out when it would tell a sensitive fact the actor may not see."""
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
    withheld = reason_is_sensitive(placement.reason) and not may_see_sensitive(
        session, actor, elder_id
    )
    if withheld:
        placement = Placement(tier=placement.tier, reason=None)
    return ElderPlan(
        placement=placement,
        last_visit=last,
        change_day=change,
        next_due=due,
        reason_withheld=withheld,
    )
