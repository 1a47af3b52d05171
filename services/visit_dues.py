"""Each active elder's visit plan, kept in the database (`elder_due`) at every write.

The overdue list, the due-this-week list and the overdue count are asked for on every
open of the dashboard and the elders page; working out every elder's plan (the latest
visit, the tier, a pending major change) is a pass over all of them: ~90 ms for a street
of 6,000 elders, five times that for five times the elders. The plan of an elder
changes only with a write about them, or on their birthday (the tier's age): so it is
worked out at the write, in its transaction, and kept with the days it holds for.

- worked out again: the elders a write touched (the elder, their visits and major
  changes), and every elder a tier change can move (its community's, or the street's);
- each write also works out the plans of its communities that no longer hold (a
  birthday passed) or were never kept (a database from before this table);
- a plan holds from the day it was worked out (`computed_on`) until `valid_until`:
  the elder's next birthday, or an earlier visit or change dated after that day.

The readers (services/visit_plan.py) use a kept plan only on a day it holds for, and
work out the others as before; the rule itself is written once, in visit_plan's SQL,
which this module runs for the elders in question. A bulk statement on these tables
(the demo loader's inserts) works every plan out when its transaction commits; what no
write kept (a birthday passed, a database from before this table) the first read for
today works out and keeps (all_kept).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, delete, event, exists, func, inspect, or_
from sqlalchemy import select as core_select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection
from sqlalchemy.orm import ORMExecuteState
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, col, select

from models.base import local_today
from models.elders import Elder, ElderChange, ElderDue, Visit, VisitTier
from services import data_versions

_TOUCHED = "board_dues_touched"  # session.info: {"elders": set, "communities": set | None}
_FAR = date(9999, 12, 31)
_MODELS = (Elder, Visit, ElderChange, VisitTier)  # what a plan is worked out from
_TABLES = tuple(str(m.__table__.name) for m in _MODELS)  # type: ignore[union-attr]
data_versions.kept_from(str(ElderDue.__table__.name), _TABLES)  # type: ignore[attr-defined]


def next_birthday(birth: date | None, day: date) -> date:
    """The first day after `day` on which the age can change: the birthday (a 29
    February birthday counted on the 28th, a day early at worst)."""
    if birth is None:
        return _FAR
    for year in (day.year, day.year + 1):
        month_day = (birth.month, min(birth.day, 28) if birth.month == 2 else birth.day)
        candidate = date(year, *month_day)
        if candidate > day:
            return candidate
    return _FAR  # unreachable: next year's always comes after


def holds(today: date) -> Any:
    """SQL: a kept plan that holds on `today`."""
    return (col(ElderDue.computed_on) <= today) & (col(ElderDue.valid_until) > today)


# --- working plans out ---------------------------------------------------------------


def _worked_out(session: Session, elders: Any, today: date) -> list[dict[str, Any]]:
    """The plans on `today` of the active ones of `elders` (a select of Elder ids
    labelled elder_id, over Elder), as rows of elder_due."""
    from services.visit_plan import plan_terms  # visit_plan imports services.db, then this

    terms = plan_terms(session, today, elders.where(col(Elder.active)))
    last = terms.last_visits
    later_visit = (
        select(func.min(Visit.visited_on))
        .where(Visit.elder_id == Elder.id, col(Visit.visited_on) > today, ~col(Visit.voided))
        .scalar_subquery()
    )
    later_change = (
        select(func.min(ElderChange.occurred_on))
        .where(ElderChange.elder_id == Elder.id, col(ElderChange.occurred_on) > today)
        .scalar_subquery()
    )
    rows = session.connection().execute(
        core_select(
            last.c.elder_id,
            col(Elder.community_id),
            col(Elder.birth_date),
            last.c.last_visit,
            terms.interval,
            terms.overdue_by,
            later_visit,
            later_change,
        ).join_from(last, Elder, last.c.elder_id == Elder.id)
    )
    kept = []
    for elder_id, community_id, birth, last_visit, interval, overdue_by, visit, change in rows:
        until = min(d for d in (next_birthday(birth, today), visit, change) if d is not None)
        kept.append(
            {
                "elder_id": elder_id,
                "community_id": community_id,
                "last_visit": last_visit,
                "interval": int(interval),
                "due_on": today - timedelta(days=int(overdue_by)),
                "computed_on": today,
                "valid_until": until,
            }
        )
    return kept


def _store(connection: Connection, rows: list[dict[str, Any]]) -> None:
    """Upserts: a writer and a reader (all_kept) may both store an elder's plan;
    the later one wins, and the reader stores only what no writer changed since (all_kept)."""
    if not rows:
        return
    upsert = sqlite_insert if connection.dialect.name == "sqlite" else postgresql_insert
    stmt = upsert(ElderDue)
    kept = [c.name for c in ElderDue.__table__.columns if c.name != "elder_id"]  # type: ignore[attr-defined]
    # the rows as parameters (executemany, sent in batches), not one statement with a
    # VALUES clause per row: compiling that took ~2 s for a street's 6,000 elders
    connection.execute(
        stmt.on_conflict_do_update(
            index_elements=["elder_id"], set_={name: stmt.excluded[name] for name in kept}
        ),
        rows,
    )


def _work_out(session: Session, elders: Any, today: date) -> None:
    """In the session's transaction: the plans of `elders` worked out and kept, the kept
    plans of those no longer active dropped."""
    connection = session.connection()
    gone = elders.with_only_columns(col(Elder.id)).where(~col(Elder.active))
    connection.execute(delete(ElderDue).where(col(ElderDue.elder_id).in_(gone)))
    _store(connection, _worked_out(session, elders, today))


def rebuild(session: Session, today: date | None = None) -> None:
    """Works out every elder's plan afresh, as on `today` (default: today)."""
    session.execute(delete(ElderDue))
    _work_out(session, select(col(Elder.id).label("elder_id")), today or local_today())


def all_kept(
    session: Session, elders: Any, today: date, communities: list[int] | None = None
) -> bool:
    """Whether, as this session sees, every one of `elders` has a kept plan that holds on
    `today` (then a reader needs no other). When some have none (a birthday passed, a
    database from before the kept plans, a community with no write since) and a read
    session reads for today, it works theirs out and keeps them, for the next readers:
    in a transaction of its own, and only if no write about elders, visits, changes or
    tiers of their communities committed while it worked them out.

    `communities`, when the caller knows which `elders` are of: a community whose every
    elder in care had a kept plan for today is remembered so (services/visit_memory.py)
    until a write about it, so a page's list asks no pass over every elder (an anti-join
    of the street's 6,000 elders and their plans, 2-4 ms on PostgreSQL, every cold read
    of a list)."""
    from services.db import READ_ONLY, transaction  # services.db imports this module

    if today != local_today():  # plans are kept for today only
        return False
    if communities is not None and all(_communities_kept(session, communities, today)):
        return True
    missing = elders.where(~exists().where(col(ElderDue.elder_id) == col(Elder.id), holds(today)))
    communities = sorted(
        set(session.exec(missing.with_only_columns(col(Elder.community_id))).all())
    )
    if not communities:
        return True
    if session.info.get(READ_ONLY):
        scopes = data_versions.scopes(_TABLES, communities)
        before = data_versions.versions(session, scopes)
        rows = _worked_out(session, missing, today)
        with transaction(session.get_bind().engine) as writer:
            connection = writer.connection()
            if data_versions.unchanged(connection, scopes, before):
                _store(connection, rows)
    return False


def _communities_kept(session: Session, communities: list[int], today: date) -> list[bool]:
    """Per community, whether every elder in its care has a kept plan that holds today."""
    from services.visit_memory import remember_each  # it imports what imports this module

    def checked(missing: list[int]) -> dict[int, bool]:
        lacking = set(
            session.exec(
                select(col(Elder.community_id))
                .where(
                    col(Elder.active),
                    col(Elder.community_id).in_(missing),
                    ~exists().where(col(ElderDue.elder_id) == col(Elder.id), holds(today)),
                )
                .distinct()
            ).all()
        )
        return {c: True for c in missing if c not in lacking}  # only a yes is kept

    kept = remember_each(session, "plans_kept", communities, (today,), checked, reads_to=today)
    return [kept.get(c, False) for c in communities]


# --- writes ---------------------------------------------------------------------------


# What the plans and the visit figures read of an elder: a change to anything else (a
# phone, an address, a guardian, a note) moves no plan and no figure.
PLAN_FIELDS = (
    "community_id",
    "birth_date",
    "situations",
    "care_level",
    "registered_on",
    "active",
    "deactivated_on",
)


def moves_plans(session: OrmSession, elder: Elder) -> bool:
    """Whether this flush of `elder` (new, deleted or changed) can move plans or figures."""
    if elder in session.new or elder in session.deleted:
        return True
    state = inspect(elder)
    return any(state.attrs[name].history.has_changes() for name in PLAN_FIELDS)


def _touched(session: OrmSession) -> dict[str, Any]:
    return session.info.setdefault(_TOUCHED, {"elders": set(), "communities": set()})


def _before(row: object, name: str) -> Any:
    history = inspect(row).attrs[name].history
    return history.deleted[0] if history.deleted else getattr(row, name)


@event.listens_for(Session, "before_flush")
def _note_writes(session: Session, _context, _instances) -> None:
    touched = _touched(session)
    elders, communities = touched["elders"], touched["communities"]
    for row in (*session.new, *session.dirty, *session.deleted):
        if row in session.dirty and not session.is_modified(row):
            continue
        if isinstance(row, Elder):
            if not moves_plans(session, row):
                continue
            if row.id is not None:
                elders.add(row.id)
            if communities is not None:
                communities.update({_before(row, "community_id"), row.community_id})
        elif isinstance(row, (Visit, ElderChange)):
            elders.update({_before(row, "elder_id"), row.elder_id})
        elif isinstance(row, VisitTier):
            if _before(row, "community_id") is None or row.community_id is None:
                touched["communities"] = None  # the street's tiers: every elder
                communities = None
            elif communities is not None:
                communities.update({_before(row, "community_id"), row.community_id})


@event.listens_for(Session, "after_flush")
def _note_new_elders(session: Session, _context) -> None:
    """New elders have their ids only once flushed."""
    touched = _touched(session)
    touched["elders"].update(row.id for row in session.new if isinstance(row, Elder))


@event.listens_for(Session, "do_orm_execute")
def _note_bulk(state: ORMExecuteState) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(getattr(state.statement, "table", None), "name", None)
    if table in _TABLES:
        _touched(state.session)["communities"] = None


@event.listens_for(Session, "before_commit")
def _keep_plans(session: Session) -> None:
    """Works out, in the transaction, the plans its writes can have moved, and those of
    its communities that no longer hold."""
    if session.new or session.dirty or session.deleted:
        session.flush()
    touched = session.info.pop(_TOUCHED, None)
    if not touched or (not touched["elders"] and touched["communities"] == set()):
        return
    elders, communities = touched["elders"] - {None}, touched["communities"]
    today = local_today()
    with session.no_autoflush:
        if communities is None:
            _work_out(session, select(col(Elder.id).label("elder_id")), today)
            return
        communities |= set(
            session.connection()
            .execute(select(col(Elder.community_id)).where(col(Elder.id).in_(elders)))
            .scalars()
        )
        stale = ~exists().where(col(ElderDue.elder_id) == col(Elder.id), holds(today))
        _work_out(
            session,
            select(col(Elder.id).label("elder_id")).where(
                or_(
                    col(Elder.id).in_(elders),
                    and_(col(Elder.community_id).in_(communities - {None}), stale),
                )
            ),
            today,
        )


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_TOUCHED, None)
