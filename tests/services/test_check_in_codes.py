"""On-site check-in by a short-lived code (services/check_in_codes.py), on a fresh
database: the code of the current or previous window only, for its own task, for the
volunteer's own confirmed place; scanning twice checks in once."""

from datetime import timedelta

import pytest
from sqlmodel import select

from models.accounts import Role
from models.audit import AuditEntry
from models.base import utcnow
from models.volunteers import Signup, Task
from services import check_in_codes, signups
from services.errors import BoardError
from tests import factories
from tests.conftest import make_account


@pytest.fixture
def place(session, w):
    """A task starting in three hours (capacity 1) and a volunteer with its place."""
    task_id = factories.task(session, w.community_id, capacity=1, starts_in=timedelta(hours=3))
    actor = make_account(session, "v1", Role.volunteer, w.community_id)
    factories.volunteer(session, w.community_id, "王", account=actor)
    sid = signups.signup_create(session=session, actor=actor, task_id=task_id).signup_id
    session.commit()
    return task_id, actor, sid, factories.at(session.get(Task, task_id), -30)


def _scan(session, actor, task_id, code, now):
    result = check_in_codes.check_in_by_code(
        session=session, actor=actor, task_id=task_id, code=code, now=now
    )
    session.commit()
    return result


def _refusal(session, actor, task_id, code, now) -> str:
    with pytest.raises(BoardError) as refused:
        check_in_codes.check_in_by_code(
            session=session, actor=actor, task_id=task_id, code=code, now=now
        )
    session.rollback()
    return refused.value.key


def _signup(session, sid) -> Signup:
    session.expire_all()
    return session.get(Signup, sid)


def test_the_code_is_six_digits_and_renews_every_window():
    now = utcnow()
    code = check_in_codes.current_code(7, now)
    assert len(code) == 6 and code.isdigit()
    later = now + check_in_codes.WINDOW
    assert check_in_codes.current_code(7, later) != code  # (a one-in-a-million tie aside)
    assert check_in_codes.current_code(8, now) != code
    assert check_in_codes.code_renews_at(now) > now


def test_a_scan_checks_the_volunteer_in_with_way_scan(session, place):
    task_id, actor, sid, now = place
    code = check_in_codes.current_code(task_id, now)
    result = _scan(session, actor, task_id, f" {code} ", now)
    row = _signup(session, sid)
    assert (str(row.status), row.check_in_way, result.already) == ("attended", "scan", False)


def test_scanning_twice_checks_in_once(session, place):
    task_id, actor, sid, now = place
    code = check_in_codes.current_code(task_id, now)
    _scan(session, actor, task_id, code, now)
    first = _signup(session, sid).check_in_at
    audits = len(session.exec(select(AuditEntry).where(AuditEntry.row_id == sid)).all())

    again = _scan(session, actor, task_id, code, now + timedelta(minutes=1))

    assert again.already and again.at == first
    assert _signup(session, sid).check_in_at == first
    assert len(session.exec(select(AuditEntry).where(AuditEntry.row_id == sid)).all()) == audits


def test_the_previous_window_is_accepted_and_the_one_before_is_refused(session, place):
    task_id, actor, sid, now = place
    previous = check_in_codes.current_code(task_id, now - check_in_codes.WINDOW)
    two_ago = check_in_codes.current_code(task_id, now - 2 * check_in_codes.WINDOW)
    assert _refusal(session, actor, task_id, two_ago, now) == "check_in.code_wrong"
    assert _signup(session, sid).check_in_at is None
    _scan(session, actor, task_id, previous, now)
    assert _signup(session, sid).check_in_way == "scan"


def test_another_tasks_code_is_refused(session, w, place):
    task_id, actor, sid, now = place
    other = factories.task(session, w.community_id, starts_in=timedelta(hours=3))
    code = check_in_codes.current_code(other, now)
    assert _refusal(session, actor, task_id, code, now) == "check_in.code_wrong"
    assert _signup(session, sid).check_in_at is None


def test_a_typed_code_finds_the_volunteers_own_task(session, place):
    task_id, actor, sid, now = place
    result = _scan(session, actor, None, check_in_codes.current_code(task_id, now), now)
    assert result.task_id == task_id
    assert _signup(session, sid).check_in_way == "scan"


def test_no_sign_up_waitlisted_and_too_early_are_refused(session, w, place):
    task_id, _actor, _sid, now = place
    second = make_account(session, "v2", Role.volunteer, w.community_id)
    factories.volunteer(session, w.community_id, "李", account=second)
    code = check_in_codes.current_code(task_id, now)
    # the only place is taken: not signed up, no place free
    assert _refusal(session, second, task_id, code, now) == "check_in.not_signed_up"
    signups.signup_create(session=session, actor=second, task_id=task_id)
    session.commit()
    assert _refusal(session, second, task_id, code, now) == "check_in.waitlisted"

    roomy = factories.task(session, w.community_id, capacity=5, starts_in=timedelta(hours=3))
    roomy_code = check_in_codes.current_code(roomy, now)
    assert _refusal(session, second, roomy, roomy_code, now) == "check_in.not_signed_up_free"
    assert session.exec(select(Signup).where(Signup.task_id == roomy)).first() is None

    too_early = factories.at(session.get(Task, task_id), -180)
    early_code = check_in_codes.current_code(task_id, too_early)
    assert _refusal(session, place[1], task_id, early_code, too_early) == (
        "signups.check_in_not_yet"
    )
