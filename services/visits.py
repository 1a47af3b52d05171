"""Visit records (探访记录), and the office's figures and charts about visiting.

Every figure and chart counts only visits that stand: a voided visit (services/
visit_fixes.py) counts nowhere, a corrected one on its corrected day and elder."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar

import pandas as pd
from sqlalchemy import ColumnElement, Integer, case, func, literal, union_all
from sqlalchemy import Select as CoreSelect
from sqlalchemy import select as core_select
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from models.base import LOCAL_TZ, local_today
from models.elders import HAZARDS, VISIT_MODES, WELLBEING, Elder, Visit
from models.volunteers import TaskKind
from services import audit, cases, referrals, tasks, visit_content, visit_months, visit_today
from services.access import FIELD, Actor
from services.cases import CaseDraft
from services.db import days_since, month_of_date
from services.elders import visible_elder
from services.errors import BoardError
from services.i18n import DEFAULT_LANG, translate
from services.referrals import ReferralDraft
from services.visit_content import VisitContent
from services.visit_memory import remember, remember_each
from services.visit_month_ends import (
    care_per_community,
    is_over,
    month_end_by_community,
    month_ends,
    month_start,
    next_month,
)
from services.visit_plan import community_names, every_community, overdue_count
from services.visit_policy import interval_expr

SelectT = TypeVar("SelectT", bound=CoreSelect)
DUPLICATE = "visits.duplicate"  # the same visit again: same elder, day, mode and content


@dataclass(frozen=True)
class FollowUpTask:
    """A follow-up task made from a need raised in the visit, in the same step."""

    title: str
    day: date
    capacity: int = 1


def can_make_task(actor: Actor) -> bool:
    """Who may turn a need raised in a visit into a follow-up task: staff and grid
    workers; a volunteer reports the need and the office decides."""
    return actor.role in FIELD


def visit_record(
    *,
    session: Session,
    actor: Actor,
    elder_id: int,
    visited_on: date,
    mode: str,
    today: date,
    wellbeing: str = "",
    content: VisitContent | None = None,
    follow_up: str = "",
    follow_up_task: FollowUpTask | None = None,
    referral: ReferralDraft | None = None,
    case: CaseDraft | None = None,
    lang: str = DEFAULT_LANG,
) -> int:
    """Records a visit with what it found in the five content areas; optionally turns the
    need raised into a follow-up task (titled in `lang` when no title is given), refers
    it to a service (services/referrals.py) and reports it as a resident's case
    (services/cases.py), in the same step."""
    content = content or VisitContent()
    elder = visible_elder(session, actor, elder_id).elder
    if not elder.active:
        raise BoardError("visits.elder_inactive")
    if visited_on is None or visited_on > today:
        raise BoardError("visits.future")
    if visited_on < elder.registered_on:
        raise BoardError("visits.before_registration", day=elder.registered_on.isoformat())
    if mode not in VISIT_MODES:
        raise BoardError("visits.mode_invalid")
    if wellbeing and wellbeing not in WELLBEING:
        raise BoardError("visits.wellbeing_invalid")
    columns = visit_content.stored(content)
    if follow_up_task is not None and not content.raises_a_need:
        raise BoardError("visits.task_needs_need")
    if follow_up_task is not None and not can_make_task(actor):
        raise BoardError("visits.volunteer_cannot_create_task")
    if session.exec(
        select(col(Visit.id)).where(
            Visit.elder_id == elder_id,
            Visit.visitor_account_id == actor.id,
            Visit.visited_on == visited_on,
            Visit.mode == mode,
            Visit.needs_raised == columns["needs_raised"],
            Visit.follow_up == follow_up.strip(),
            ~col(Visit.voided),  # a visit voided in error may be entered again
        )
    ).first():
        # a second press of 保存 (or the same visit entered twice): one visit, one record
        raise BoardError(DUPLICATE, name=elder.name)
    visit = Visit(
        elder_id=elder_id,
        visitor_account_id=actor.id,
        visitor_name=actor.display_name,
        visited_on=visited_on,
        mode=mode,
        wellbeing=wellbeing,
        follow_up=follow_up.strip(),
        **columns,
    )
    session.add(visit)
    audit.record(session, actor_id=actor.id, action="create", row=visit)
    # the need in words: the note, else the needs ticked
    need = columns["needs_raised"] or translate("visits.item_separator", lang).join(
        translate(visit_content.item_key("needs", n), lang)
        for n in columns["needs"].split(",")
        if n
    )
    if referral is not None:
        referrals.refer(session, actor, visit, referral, need, today)
    if case is not None:
        cases.case_report_from_visit(session, actor, visit, elder, case, need)
    if follow_up_task is not None:
        start = datetime.combine(follow_up_task.day, time(9, 0), LOCAL_TZ)
        tasks.task_create(
            session=session,
            actor=actor,
            title=follow_up_task.title.strip()
            or translate("visits.task_default_title", lang, name=elder.name),
            kind=TaskKind.elder_visit,
            community_id=elder.community_id,
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            capacity=follow_up_task.capacity,
            place=elder.address,
            description=need,
            elder_id=elder.id,
        )
    return visit.id


# --- figures and charts (aggregates only) ----------------------------------------------


def _scoped(stmt: SelectT, community_ids: list[int] | None) -> SelectT:
    if community_ids is None:
        return stmt
    return stmt.where(col(Elder.community_id).in_(community_ids))


def _visits_in_scope(stmt: SelectT, community_ids: list[int] | None) -> SelectT:
    """Visits that stand (not voided) of the communities' elders; the whole street needs
    no join."""
    stmt = stmt.where(~col(Visit.voided))
    if community_ids is None:
        return stmt
    return stmt.join(Elder, col(Elder.id) == Visit.elder_id).where(
        col(Elder.community_id).in_(community_ids)
    )


def visit_figures(
    *,
    session: Session,
    community_ids: list[int] | None,
    start: date,
    end: date,
    today: date | None = None,
) -> dict:
    """Visits made in [start, end), the on-time rate (see on_time_by_community), the
    monthly visit rate (see monthly_visit_rate), and elders overdue as of `today` (or the
    period's last day, if earlier)."""
    today = today or local_today()
    made = int(
        visits_by_month(session=session, community_ids=community_ids, start=start, end=end)[
            "visits"
        ].sum()
    )
    return {
        "visits": made,
        "on_time_rate": _on_time_rate(session, community_ids, start, end, today),
        "visit_rate": monthly_visit_rate(
            session=session, community_ids=community_ids, start=start, end=end, today=today
        ),
        "overdue_elders": _overdue_at_end(session, community_ids, end, today),
    }


def _overdue_at_end(
    session: Session, community_ids: list[int] | None, end: date, today: date
) -> int:
    """Elders overdue on the period's last day (or today, if earlier): a month-end that
    is over is read from its kept figures."""
    last_day = min(today, end - timedelta(days=1))
    month = month_start(last_day)
    if end.day == 1 and end <= today:  # the period ended with a month that is over
        return month_ends(session, community_ids, [month], today)[month].overdue
    return overdue_count(session=session, community_ids=community_ids, today=last_day)


def _on_time_rate(
    session: Session, community_ids: list[int] | None, start: date, end: date, today: date
) -> float | None:
    rates = on_time_by_community(
        session=session, community_ids=community_ids, start=start, end=end, today=today
    )
    if rates.empty or rates["due"].sum() == 0:
        return None
    return float(rates["on_time"].sum() / rates["due"].sum())


def monthly_visit_rate(
    *,
    session: Session,
    community_ids: list[int] | None,
    start: date,
    end: date,
    today: date | None = None,
) -> float | None:
    """月探访率: of the elders under care in a month (registered by its last day, and
    still in care after its first: not deactivated on or before it), those with at least one visit (not voided) in that
    month. Over several months, elder-months: the sum of those visited each month over
    the sum of those under care each month. Months from `today` on are not over: the
    current month counts so far, later ones not at all. None: nobody under care."""
    today = today or local_today()
    return remember(
        session,
        "visit_rate",
        (community_ids, start, end, today),
        lambda: _monthly_visit_rate(session, community_ids, start, end, today),
        reads_to=min(today, end - timedelta(days=1)),
        reads_rules=False,  # elders in care and their visits: no tier, no major change
    )


def _monthly_visit_rate(
    session: Session, community_ids: list[int] | None, start: date, end: date, today: date
) -> float | None:
    kept: list[date] = []  # whole months that are over: their figures are kept
    under_care = visited = 0
    month = month_start(start)
    while month < end and month <= today:
        following = next_month(month)
        first, stop = max(month, start), min(following, end, today + timedelta(days=1))
        if first == month and stop == following and is_over(month, today):
            kept.append(month)
        else:
            care = _care(session, community_ids, first, stop, today).values()
            under_care += sum(n for n, _ in care)
            visited += sum(v for _, v in care)
        month = following
    for figures in month_ends(session, community_ids, kept, today).values():
        under_care, visited = under_care + figures.under_care, visited + figures.visited
    return visited / under_care if under_care else None


def _care(
    session: Session, community_ids: list[int] | None, first: date, stop: date, today: date
) -> dict[int, tuple[int, int]]:
    """care_per_community, kept per community: a visit recomputes only its own's."""
    communities = community_ids if community_ids is not None else every_community(session)

    def counted(missing: list[int]) -> dict[int, tuple[int, int]]:
        care = care_per_community(session, missing, first, stop)
        return {c: care.get(c, (0, 0)) for c in missing}

    return remember_each(
        session,
        "care",
        communities,
        (first, stop),
        counted,
        reads_to=min(today, stop - timedelta(days=1)),
        reads_rules=False,
    )


def on_time_by_community(
    *,
    session: Session,
    community_ids: list[int] | None,
    start: date,
    end: date,
    today: date | None = None,
) -> pd.DataFrame:
    """Per community: visits due in [start, end), those made on time, and the rate.

    Each elder's visits and registration form a chain; from each link (the registration
    or a visit) the next visit is due within the elder's interval (the policy table, with
    the age on the period's last day).

    - on time: a visit in the period made at most `interval` days after the elder's
      previous visit (or registration, for the first visit);
    - missed: a due date (previous visit + k × interval, k = 1, 2, …) in the period that
      passed with no visit: the elder was not visited by then, nor (while they were
      active) by `today`. A visit that comes late counts only through the due dates it
      missed; a long gap misses several.

    due = on time + missed; rate = on time / due. An elder visited more often than the
    interval asks makes more on-time visits (each visit restarts the interval). Computed
    in SQL: the window function LEAD over the period's visits (SQLite and PostgreSQL).
    """
    today = today or local_today()
    communities = community_ids if community_ids is not None else every_community(session)
    if start.day == 1 and end == next_month(start) and is_over(start, today):
        # a month that is over: its counts are kept (services/visit_month_ends.py)
        kept = month_end_by_community(session, communities, start, today)
        counts = {c: (kept[c].due, kept[c].on_time) for c in communities}
    elif start == month_start(today) and end == next_month(start):
        # the month in progress, as of today: kept too (services/visit_today.py)
        now = visit_today.today_figures(session, communities, today)
        counts = {c: (now[c].due, now[c].on_time) for c in communities}
    else:
        counts = remember_each(
            session,
            "on_time",
            communities,
            (start, end, today),
            lambda missing: _on_time_by_community(session, missing, start, end, today),
            # the period's visits only (up to today): a visit made after a period that is
            # over changes nothing of it
            reads_to=min(today, end - timedelta(days=1)),
        )
    return _on_time_frame(session, counts)


def on_time_per_community(
    session: Session, community_ids: list[int], start: date, end: date, today: date | None = None
) -> dict[int, tuple[int, int]]:
    """Per community, (visits due, made on time) in [start, end) as of `today` (default:
    the period's end, a period that is over)."""
    return _on_time_by_community(session, community_ids, start, end, today or end)


def _on_time_frame(session: Session, counts: dict[int, tuple[int, int]]) -> pd.DataFrame:
    """One row per community with a visit due (by id): its name, due, on time, rate."""
    shown = sorted(c for c, (due, _) in counts.items() if due > 0)
    if not shown:
        return _ON_TIME_EMPTY.copy()
    names = community_names(session)
    return pd.DataFrame(
        [
            {
                "community": names[c],
                "due": counts[c][0],
                "on_time": counts[c][1],
                "rate": round(counts[c][1] / counts[c][0], 3),
            }
            for c in shown
        ]
    )


def _largest(session: Session, *values: Any) -> ColumnElement[Any]:
    """SQL for the largest of several values (GREATEST on PostgreSQL, max() on SQLite)."""
    if session.get_bind().dialect.name == "sqlite":
        return func.max(*values)
    return func.greatest(*values)


_ON_TIME_EMPTY = pd.DataFrame(
    {"community": pd.Series(dtype=object), "due": 0, "on_time": 0, "rate": 0.0}
).iloc[0:0]


def _on_time_by_community(
    session: Session, community_ids: list[int], start: date, end: date, today: date
) -> dict[int, tuple[int, int]]:
    """Each community's (visits due, made on time): (0, 0) with no visit due."""
    visits_before = min(end, today + timedelta(days=1))  # visits up to today
    as_of = min(end, today)  # due dates before this have passed; today's may still be met

    def before_end(column: Any) -> ColumnElement[int]:
        """Whole days from a date column to the period's end (later dates: smaller)."""
        return days_since(session, end, column)

    # The links that matter: each elder's last visit before the period (or registration),
    # found per elder through the index ix_visit_elder_day, with the elder's interval;
    # then the period's visits. Days are counted back from the period's end.
    last_before = (
        select(func.max(Visit.visited_on))
        .where(Visit.elder_id == Elder.id, col(Visit.visited_on) < start, ~col(Visit.voided))
        .scalar_subquery()
    )
    none = literal(None, Integer)
    # sqlmodel's select() types at most four columns: the subqueries below, never run on
    # their own, are SQLAlchemy's (core_select)
    links = union_all(
        _scoped(
            core_select(
                col(Elder.id).label("elder_id"),
                before_end(func.coalesce(last_before, Elder.registered_on)).label("day"),
                literal(0).label("is_visit"),
                col(Elder.community_id).label("community_id"),
                interval_expr(session, end - timedelta(days=1)).label("interval"),
                func.coalesce(before_end(Elder.deactivated_on), 0).label("gone"),
            ).where(
                col(Elder.registered_on) < visits_before,
                col(Elder.active) | (col(Elder.deactivated_on) > start),
            ),
            community_ids,
        ),
        _visits_in_scope(
            core_select(
                col(Visit.elder_id), before_end(Visit.visited_on), literal(1), none, none, none
            ).where(col(Visit.visited_on) >= start, col(Visit.visited_on) < visits_before),
            community_ids,
        ),
    ).subquery()
    by_elder = links.c.elder_id
    order = (links.c.day.desc(), links.c.is_visit)
    chain = core_select(
        links.c.day.label("prev"),
        func.lead(links.c.day).over(partition_by=by_elder, order_by=order).label("next"),
        # the same window (ordered, the whole partition as frame): one sort, not two
        *[
            func.max(links.c[c])
            .over(partition_by=by_elder, order_by=order, rows=(None, None))
            .label(c)
            for c in ("community_id", "interval", "gone")
        ],
    ).subquery()
    prev, nxt, interval, period = chain.c.prev, chain.c.next, chain.c.interval, (end - start).days
    on_time = case(((nxt <= period) & (prev - nxt <= interval), 1), else_=0)
    # Missed: due dates prev + k * interval (k >= 1) in [start, stop), where stop is the
    # next visit (none yet: `as_of`) or the deactivation, whichever comes first: k runs
    # from first_k to last_k.
    stop = _largest(session, func.coalesce(nxt, (end - as_of).days), chain.c.gone)
    first_k = _largest(session, literal(1), (prev - period + interval - 1) // interval)
    last_k = (prev - stop + interval - 1) // interval - 1
    missed = _largest(session, literal(0), last_k - first_k + 1)
    per_link = (
        core_select(chain.c.community_id, on_time.label("on_time"), missed.label("missed"))
        .where(interval.is_not(None), nxt.is_(None) | (nxt <= period))
        .subquery()
    )
    rows = session.exec(
        select(
            per_link.c.community_id,
            func.sum(per_link.c.on_time + per_link.c.missed),
            func.sum(per_link.c.on_time),
        ).group_by(per_link.c.community_id)
    ).all()
    counts = dict.fromkeys(community_ids, (0, 0))
    counts.update({int(c): (int(due), int(made)) for c, due, made in rows})
    return counts


def visits_by_month(
    *, session: Session, community_ids: list[int] | None, start: date, end: date
) -> pd.DataFrame:
    """Visits per month and mode: from the monthly counts (services/visit_months.py)
    for whole months, as the trend charts ask; counted from the visits otherwise."""
    if visit_months.is_whole_months(start, end):
        return visit_months.visits_by_month(session, community_ids, start, end)
    month = month_of_date(session, Visit.visited_on)
    rows = session.exec(
        _visits_in_scope(
            select(month, col(Visit.mode), func.count()).where(
                col(Visit.visited_on) >= start, col(Visit.visited_on) < end
            ),
            community_ids,
        )
        .group_by(month, col(Visit.mode))
        .order_by(month, col(Visit.mode))
    ).all()
    return pd.DataFrame(rows, columns=["month", "mode", "visits"])


def overdue_trend(
    *,
    session: Session,
    community_ids: list[int] | None,
    start: date,
    end: date,
    today: date | None = None,
) -> pd.DataFrame:
    """Elders overdue at the end of each month of the window; a month not over yet counts
    as of `today` (default: today in Asia/Shanghai), and months after today are left out.
    Months that are over are read from their kept figures (services/visit_month_ends.py)."""
    today = today or local_today()
    points: dict[date, int] = {}
    kept: list[date] = []
    month = month_start(start)
    while month < end and month <= today:
        following = next_month(month)
        if following <= end and is_over(month, today):
            kept.append(month)
        else:
            as_of = min(min(following, end) - timedelta(days=1), today)
            points[month] = overdue_count(session=session, community_ids=community_ids, today=as_of)
        month = following
    for month, figures in month_ends(session, community_ids, kept, today).items():
        points[month] = figures.overdue
    return pd.DataFrame(
        [{"month": f"{m:%Y-%m}", "overdue": points[m]} for m in sorted(points)],
        columns=["month", "overdue"],
    )


def hazards_found(
    *, session: Session, community_ids: list[int] | None, start: date, end: date
) -> pd.DataFrame:
    """How many visits found each kind of safety hazard."""
    # one sum per hazard: more columns than sqlmodel's select() types, so the Select
    # type names them
    per_hazard = Select[*tuple[int | None, ...]]
    stmt = (
        per_hazard(
            *[func.sum(case((col(Visit.hazards).like(f"%{h}%"), 1), else_=0)) for h in HAZARDS]
        )
        .join(Elder, col(Elder.id) == Visit.elder_id)
        .where(col(Visit.visited_on) >= start, col(Visit.visited_on) < end, ~col(Visit.voided))
    )
    values = session.exec(_scoped(stmt, community_ids)).one()
    return pd.DataFrame({"hazard": list(HAZARDS), "visits": [int(v or 0) for v in values]})
