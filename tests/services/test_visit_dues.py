"""The kept plans of the elders (services/visit_dues.py) give the same lists and counts
as working every plan out afresh: after every kind of write that can move a plan, on the
demo, and across a birthday that changes an elder's tier."""

from datetime import date, timedelta

import pytest
from sqlalchemy import delete, false
from sqlmodel import Session, select

from models.accounts import Account
from models.elders import CHANGE_KINDS, Elder, ElderDue
from services import (
    db,
    elders,
    major_changes,
    visit_dues,
    visit_fixes,
    visit_memory,
    visit_plan,
    visit_policy,
    visits,
)
from services.auth import actor_of
from tests.conftest import DEMO_TODAY
from tests.services.test_elders import elder, elders_world
from ui import actions

TODAY = date(2026, 11, 24)


@pytest.fixture
def kept_on(monkeypatch):
    """Writes work plans out as on `day` (the tests' today, not the machine's)."""

    def keep_on(day: date) -> None:
        monkeypatch.setattr(visit_dues, "local_today", lambda: day)

    keep_on(TODAY)
    return keep_on


def lists(session, actor, day) -> tuple:
    plan = visit_plan.plan_lists(session=session, actor=actor, today=day)
    return (
        plan.overdue.total,
        plan.overdue.rows.to_dict("records"),
        plan.due_this_week.total,
        plan.due_this_week.rows.to_dict("records"),
        visit_plan.overdue_per_community(session, None, day),
    )


def same_as_afresh(engine, actor, day, monkeypatch) -> None:
    """The lists read with the kept plans equal the lists with every plan worked out."""
    with db.read_session(engine) as s:
        kept = lists(s, actor, day)
    with monkeypatch.context() as m:
        m.setattr(visit_dues, "holds", lambda _day: false())
        # and no community remembered as having every plan kept
        m.setattr(visit_dues, "_communities_kept", lambda _s, ids, _day: [False] * len(ids))
        with db.read_session(engine) as s:
            afresh = lists(s, actor, day)
    assert kept == afresh


def kept_plans(engine, day) -> int:
    with db.read_session(engine) as s:
        return len(s.exec(select(ElderDue).where(visit_dues.holds(day))).all())


def test_kept_plans_follow_every_kind_of_write(engine, session, kept_on, monkeypatch):
    w = elders_world(session)
    alone = elder(session, w, "独居老人", situations="独居", registered=date(2026, 9, 1))
    other = elder(session, w, "李爷爷", born=date(1950, 3, 2), registered=date(2026, 6, 1))
    elder(session, w, "王奶奶", born=date(1944, 8, 8), registered=date(2026, 2, 1))
    assert kept_plans(engine, TODAY) == 3  # worked out at the commits above
    same_as_afresh(engine, w.admin, TODAY, monkeypatch)

    def write(fn, **kwargs):
        with db.transaction(engine) as s:
            return fn(session=s, actor=w.shuji, **kwargs)

    visit = write(
        visits.visit_record, elder_id=alone, visited_on=date(2026, 11, 20), mode="上门", today=TODAY
    )
    same_as_afresh(engine, w.admin, TODAY, monkeypatch)
    write(
        visit_fixes.visit_correct,
        visit_id=visit,
        visited_on=date(2026, 11, 10),
        elder_id=other,
        reason="记错了人",
        today=TODAY,
    )
    same_as_afresh(engine, w.admin, TODAY, monkeypatch)
    write(visit_fixes.visit_void, visit_id=visit, reason="重复录入")
    same_as_afresh(engine, w.admin, TODAY, monkeypatch)
    write(
        major_changes.change_record,
        elder_id=other,
        kind=CHANGE_KINDS[0],
        occurred_on=date(2026, 11, 22),
        today=TODAY,
    )
    same_as_afresh(engine, w.admin, TODAY, monkeypatch)
    write(
        elders.elder_create,
        name="新登记老人",
        birth_date=date(1938, 1, 1),
        address="四千米社区5号楼",
        community_id=w.community_id,
        today=TODAY,
        situations=["空巢"],
    )
    same_as_afresh(engine, w.admin, TODAY, monkeypatch)
    write(elders.elder_deactivate, elder_id=alone, reason="搬离本社区", today=TODAY)
    same_as_afresh(engine, w.admin, TODAY, monkeypatch)
    assert kept_plans(engine, TODAY) == 3  # the deactivated elder has none
    view = visit_policy.policy_view(session=session, actor=w.admin, community_id=None)
    tier = next(t for t in view.tiers if t.is_default)
    with db.transaction(engine) as s:
        visit_policy.tier_save(
            session=s,
            actor=w.admin,
            community_id=None,
            tier_id=tier.id,
            name=tier.name,
            interval_days=20,
            condition_sets=[],
        )
    same_as_afresh(engine, w.admin, TODAY, monkeypatch)
    same_as_afresh(engine, w.shuji, TODAY, monkeypatch)


def test_a_birthday_since_the_plan_was_kept_works_it_out_afresh(
    engine, session, kept_on, monkeypatch
):
    """Turning 80 (高龄) moves a 空巢 elder to a tier with a shorter interval: the plan
    kept the day before does not hold on the birthday."""
    w = elders_world(session)
    turning = elder(
        session,
        w,
        "明天八十",
        born=date(1946, 11, 25),
        situations="空巢",
        registered=date(2026, 9, 1),
    )
    kept_on(TODAY)
    with db.transaction(engine) as s:
        visits.visit_record(
            session=s,
            actor=w.shuji,
            elder_id=turning,
            visited_on=date(2026, 11, 1),
            mode="上门",
            today=TODAY,
        )
    assert kept_plans(engine, TODAY) == 1
    assert kept_plans(engine, date(2026, 11, 25)) == 0  # the birthday
    for day in (TODAY, date(2026, 11, 25), date(2026, 12, 3)):
        same_as_afresh(engine, w.admin, day, monkeypatch)


def test_kept_plans_agree_with_working_out_on_the_demo(demo_engine, monkeypatch):
    with Session(demo_engine) as session:
        visit_dues.rebuild(session, today=DEMO_TODAY)
        session.commit()
        admin = actor_of(session.exec(select(Account).where(Account.username == "admin")).one())
        active = len(session.exec(select(Elder.id).where(Elder.active)).all())
    assert kept_plans(demo_engine, DEMO_TODAY) == active
    same_as_afresh(demo_engine, admin, DEMO_TODAY, monkeypatch)


def forget_kept(engine) -> None:
    """As a database from before the kept plans (an app server starting on it remembers
    nothing of it)."""
    with db.transaction(engine) as s:
        s.connection().execute(delete(ElderDue))
    visit_memory.forget()


def test_a_reader_for_today_keeps_the_plans_no_write_kept(engine, session, kept_on, monkeypatch):
    w = elders_world(session)
    for name in ("独居老人", "李爷爷"):
        elder(session, w, name, situations="独居", registered=date(2026, 9, 1))
    forget_kept(engine)
    with db.read_session(engine) as s:  # a day in the past: nothing kept
        visit_plan.plan_lists(session=s, actor=w.admin, today=date(2026, 11, 20))
    assert kept_plans(engine, TODAY) == 0
    with db.read_session(engine) as s:
        before = visit_plan.plan_lists(session=s, actor=w.admin, today=TODAY)
    assert kept_plans(engine, TODAY) == 2
    same_as_afresh(engine, w.admin, TODAY, monkeypatch)
    with db.read_session(engine) as s:
        after = visit_plan.plan_lists(session=s, actor=w.admin, today=TODAY)
    assert after.overdue.rows.equals(before.overdue.rows)


def test_a_reader_keeps_nothing_when_a_write_committed_while_it_worked(
    engine, session, kept_on, monkeypatch
):
    w = elders_world(session)
    alone = elder(session, w, "独居老人", situations="独居", registered=date(2026, 9, 1))
    forget_kept(engine)
    real = visit_dues._worked_out

    def a_visit_commits_meanwhile(s, elders_, day):
        rows = real(s, elders_, day)
        if s.info.get(db.READ_ONLY):
            with db.transaction(engine) as writer:
                visits.visit_record(
                    session=writer,
                    actor=w.shuji,
                    elder_id=alone,
                    visited_on=TODAY,
                    mode="上门",
                    today=TODAY,
                )
        return rows

    monkeypatch.setattr(visit_dues, "_worked_out", a_visit_commits_meanwhile)
    with db.read_session(engine) as s:
        visit_plan.plan_lists(session=s, actor=w.admin, today=TODAY)
    monkeypatch.setattr(visit_dues, "_worked_out", real)
    with db.read_session(engine) as s:
        kept = s.exec(select(ElderDue)).one()  # the writer's, not the reader's
    assert kept.last_visit == TODAY
    same_as_afresh(engine, w.admin, TODAY, monkeypatch)


def test_a_cached_plan_list_read_from_kept_plans_sees_the_next_visit(engine, session, kept_on):
    """Defect (seen in the browser): the lists read only the kept plans, written beside
    the ORM, so the cached list never learnt that a visit changes it: the elder just
    visited stayed overdue on the page."""

    w = elders_world(session)
    alone = elder(session, w, "独居老人", situations="独居", registered=date(2026, 9, 1))
    actions.clear_reads()
    first = actions.read(visit_plan.plan_lists, actor=w.shuji, today=TODAY)
    assert first.overdue.total == 1
    with db.transaction(engine) as s:
        visits.visit_record(
            session=s, actor=w.shuji, elder_id=alone, visited_on=TODAY, mode="上门", today=TODAY
        )
    assert actions.read(visit_plan.plan_lists, actor=w.shuji, today=TODAY).overdue.total == 0
    actions.clear_reads()


def test_a_list_asked_for_its_count_only_holds_no_row(engine, session, kept_on):
    # the dashboard shows the due-this-week count only: the same total, and no row of
    # elders (names, phones) leaves the service unmasked or unasked
    w = elders_world(session)
    for n in range(0, 40, 3):  # registered over 40 days: some overdue, some due this week
        elder(session, w, f"老人{n}", situations="独居", registered=TODAY - timedelta(n))
    with db.read_session(engine) as s:
        full = visit_plan.plan_lists(session=s, actor=w.admin, today=TODAY)
        counted = visit_plan.plan_lists(session=s, actor=w.admin, today=TODAY, due_rows=False)
    assert full.due_this_week.total == counted.due_this_week.total > 0
    assert len(full.due_this_week.rows) == full.due_this_week.total
    assert counted.due_this_week.rows.empty
    assert counted.overdue.total == full.overdue.total
    assert counted.overdue.rows.equals(full.overdue.rows)


def test_a_community_with_every_plan_kept_is_not_checked_again_until_a_write(
    engine, session, kept_on, monkeypatch
):
    """Whether every elder of a community has a kept plan for today was a pass over the
    street's elders on every cold read of a list (2-4 ms on PostgreSQL); it is
    remembered per community until a write about it."""
    from sqlalchemy import event

    w = elders_world(session)
    elder(session, w, "独居老人", situations="独居", registered=date(2026, 9, 1))
    with db.read_session(engine) as s:
        visit_plan.plan_lists(session=s, actor=w.shuji, today=TODAY)  # checks, remembers
    checks: list[str] = []

    def note(conn, cursor, statement, *args):
        checking = ("SELECT elder.community_id", "SELECT DISTINCT elder.community_id")
        if statement.startswith(checking) and "elder_due" in statement:
            checks.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        with db.read_session(engine) as s:
            quiet = visit_plan.plan_lists(session=s, actor=w.shuji, today=TODAY)
        assert checks == [] and quiet.overdue.total == 1
        with db.transaction(engine) as s:  # a write about the community's elders
            new = elders.elder_create(
                session=s,
                actor=w.shuji,
                name="新登记老人",
                birth_date=date(1938, 1, 1),
                address="四千米社区5号楼",
                community_id=w.community_id,
                today=TODAY,
                situations=["独居"],
            )
        with db.read_session(engine) as s:
            visit_plan.plan_lists(session=s, actor=w.shuji, today=TODAY)
        assert len(checks) == 1  # asked again, once
    finally:
        event.remove(engine, "before_cursor_execute", note)
    assert kept_plans(engine, TODAY) == 2 and new
    same_as_afresh(engine, w.shuji, TODAY, monkeypatch)
