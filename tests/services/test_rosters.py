"""Quick roster work on the day (services/rosters.py): 全部签到, 全部确认时长 and a
walk-in, on a fresh database."""

from datetime import timedelta

import pytest
from sqlmodel import select

from models.accounts import Role
from models.audit import AuditEntry
from models.volunteers import Signup, Task, Volunteer
from services import rosters, signups
from services.errors import BoardError
from tests import factories
from tests.conftest import make_account


def _signed_up(session, actor, task_id, volunteer_id):
    result = signups.signup_create(
        session=session, actor=actor, task_id=task_id, volunteer_id=volunteer_id
    )
    session.commit()
    return result.signup_id


def _row(session, signup_id) -> Signup:
    session.expire_all()
    return session.get(Signup, signup_id)


def _today_task(session, w, capacity=3):
    """A task that starts in three hours: signing up is still open."""
    return factories.task(session, w.community_id, capacity=capacity, starts_in=timedelta(hours=3))


def test_check_in_all_takes_only_the_confirmed_not_yet_checked_in(session, w):
    task_id = _today_task(session, w, capacity=3)
    people = [factories.volunteer(session, w.community_id, f"志愿者{i}") for i in range(5)]
    ids = [_signed_up(session, w.shuji, task_id, v) for v in people]  # 3 confirmed, 2 waiting
    task = session.get(Task, task_id)
    on_site = factories.at(task, -60)  # check-in opens two hours before the start
    signups.signup_check_in(session=session, actor=w.shuji, signup_id=ids[0], now=on_site)
    session.commit()
    first_in = _row(session, ids[0]).check_in_at

    bulk = rosters.roster_bulk(session=session, actor=w.shuji, task_id=task_id, now=on_site)
    assert bulk.check_in == 2
    result = rosters.roster_check_in_all(
        session=session, actor=w.shuji, task_id=task_id, now=on_site
    )
    session.commit()

    assert (result.done, result.refused) == (2, [])
    rows = [_row(session, i) for i in ids]
    assert [str(r.status) for r in rows] == [
        "attended",
        "attended",
        "attended",
        "waitlisted",
        "waitlisted",
    ]
    assert rows[0].check_in_at == first_in  # not checked in a second time
    assert [r.check_in_way for r in rows[1:3]] == ["staff", "staff"]
    assert rows[3].check_in_at is None and rows[3].check_in_way is None


def test_check_in_all_too_early_lists_everyone_with_the_reason(session, w):
    task_id = _today_task(session, w)
    sid = _signed_up(session, w.shuji, task_id, factories.volunteer(session, w.community_id, "李"))
    early = factories.at(session.get(Task, task_id), -180)
    bulk = rosters.roster_bulk(session=session, actor=w.shuji, task_id=task_id, now=early)
    assert (bulk.check_in, bulk.check_in_reason) == (0, "signups.check_in_not_yet")
    result = rosters.roster_check_in_all(session=session, actor=w.shuji, task_id=task_id, now=early)
    session.commit()
    assert result.done == 0
    assert [(r.volunteer, r.reason) for r in result.refused] == [("李", "signups.check_in_not_yet")]
    assert _row(session, sid).check_in_at is None


def test_approve_all_approves_only_pending_hours(session, w):
    task_id = _today_task(session, w)
    ids = [
        _signed_up(session, w.shuji, task_id, factories.volunteer(session, w.community_id, n))
        for n in ("甲", "乙", "丙")
    ]
    task = session.get(Task, task_id)
    for sid in ids[:2]:
        signups.signup_check_in(
            session=session, actor=w.shuji, signup_id=sid, now=factories.at(task, 0)
        )
        signups.signup_check_out(
            session=session, actor=w.shuji, signup_id=sid, now=factories.at(task, 120)
        )
    signups.signup_approve_hours(session=session, actor=w.shuji, signup_id=ids[0])
    session.commit()
    assert rosters.roster_bulk(session=session, actor=w.shuji, task_id=task_id).approve == 1
    before = _row(session, ids[0]).approved_at

    assert rosters.roster_approve_all(session=session, actor=w.shuji, task_id=task_id) == 1
    session.commit()

    rows = [_row(session, i) for i in ids]
    assert [str(r.hours_status) for r in rows] == ["approved", "approved", "none"]
    assert rows[0].approved_at == before
    audited = session.exec(
        select(AuditEntry).where(AuditEntry.table_name == "signup", AuditEntry.row_id == ids[1])
    ).all()
    assert any("approved" in a.changes for a in audited)


def test_a_volunteer_checking_in_on_their_phone_is_marked_self(session, w):
    task_id = _today_task(session, w)
    actor = make_account(session, "v1", Role.volunteer, w.community_id)
    factories.volunteer(session, w.community_id, "王", account=actor)
    sid = signups.signup_create(session=session, actor=actor, task_id=task_id).signup_id
    task = session.get(Task, task_id)
    signups.signup_check_in(session=session, actor=actor, signup_id=sid, now=factories.at(task, -5))
    session.commit()
    assert _row(session, sid).check_in_way == "self"


def test_walk_in_takes_a_free_place_checks_in_and_is_marked(session, w):
    task_id = _today_task(session, w, capacity=2)
    _signed_up(session, w.shuji, task_id, factories.volunteer(session, w.community_id, "甲"))
    walker = factories.volunteer(session, w.community_id, "现场的张")
    on_site = factories.at(session.get(Task, task_id), 10)

    added = rosters.roster_add_walk_in(
        session=session, actor=w.shuji, task_id=task_id, volunteer_id=walker, now=on_site
    )
    session.commit()

    row = _row(session, added.signup_id)
    assert (str(row.status), row.walk_in, row.check_in_way) == ("attended", True, "staff")
    assert row.check_in_at is not None
    assert session.get(Task, task_id).taken == 2
    with pytest.raises(BoardError) as again:
        rosters.roster_add_walk_in(
            session=session, actor=w.shuji, task_id=task_id, volunteer_id=walker, now=on_site
        )
    assert again.value.key == "rosters.already_on_roster"


def test_walk_in_on_a_full_task_is_refused_and_nothing_is_written(session, w):
    task_id = _today_task(session, w, capacity=1)
    _signed_up(session, w.shuji, task_id, factories.volunteer(session, w.community_id, "甲"))
    on_site = factories.at(session.get(Task, task_id), 10)
    with pytest.raises(BoardError) as refused:
        rosters.roster_add_walk_in(
            session=session,
            actor=w.shuji,
            task_id=task_id,
            name="新来的",
            phone="13912345678",
            now=on_site,
        )
    session.rollback()
    assert refused.value.key == "rosters.full"
    assert session.get(Task, task_id).taken == 1
    assert session.exec(select(Volunteer).where(Volunteer.phone == "13912345678")).first() is None


def test_walk_in_new_person_is_registered_once_and_a_known_phone_picks_them(session, w):
    task_id = _today_task(session, w, capacity=5)
    on_site = factories.at(session.get(Task, task_id), 10)
    added = rosters.roster_add_walk_in(
        session=session,
        actor=w.shuji,
        task_id=task_id,
        name="赵阿姨",
        phone="139 1234 5678",
        now=on_site,
    )
    session.commit()
    new = session.exec(select(Volunteer).where(Volunteer.phone == "13912345678")).one()
    assert (new.name, new.community_id, added.on_register) == ("赵阿姨", w.community_id, False)

    other = factories.task(session, w.community_id, starts_in=timedelta(hours=6))  # later
    again = rosters.roster_add_walk_in(
        session=session,
        actor=w.shuji,
        task_id=other,
        name="赵阿姨",
        phone="13912345678",
        now=factories.at(session.get(Task, other), -30),
    )
    session.commit()
    assert again.on_register
    assert len(session.exec(select(Volunteer).where(Volunteer.phone == "13912345678")).all()) == 1


def test_walk_in_before_check_in_opens_is_refused(session, w):
    task_id = factories.task(session, w.community_id, starts_in=timedelta(days=2))
    walker = factories.volunteer(session, w.community_id, "早到的")
    with pytest.raises(BoardError) as refused:
        rosters.roster_add_walk_in(
            session=session, actor=w.shuji, task_id=task_id, volunteer_id=walker
        )
    assert refused.value.key == "signups.check_in_not_yet"


def test_walk_in_candidates_leave_out_those_on_the_roster(session, w):
    task_id = _today_task(session, w)
    signed = factories.volunteer(session, w.community_id, "张三")
    factories.volunteer(session, w.community_id, "张四")
    _signed_up(session, w.shuji, task_id, signed)
    found = rosters.walk_in_candidates(session=session, actor=w.shuji, task_id=task_id, search="张")
    assert [c.name for c in found] == ["张四"]
