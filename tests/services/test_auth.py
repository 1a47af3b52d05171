"""Sign-in, lock-out, sessions and account scoping, each on a fresh database."""

from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlmodel import select

from models.accounts import Account, AuthSession, Role
from models.audit import AuditEntry
from models.base import aware_utc, utcnow
from services import auth
from services.errors import BoardError
from tests.conftest import make_account, make_community


def count(session, table) -> int:
    return session.exec(select(func.count()).select_from(table)).one()


@pytest.fixture
def shuji(session):
    cid = make_community(session)
    return make_account(session, "shuji", Role.secretary, cid)


def test_sign_in_gives_session_token(session, shuji):
    result = auth.sign_in(session=session, username="shuji", password="secret123")
    session.commit()
    assert result.error_key is None
    assert result.actor.role == Role.secretary
    assert auth.session_actor(session=session, token=result.token).username == "shuji"
    assert count(session, AuthSession) == 1


def test_password_is_never_stored_in_clear(session, shuji):
    stored = session.exec(select(Account.password_hash)).one()
    assert "secret123" not in stored and stored.startswith("$argon2")


@pytest.mark.parametrize(
    ("username", "password", "key"),
    [
        ("shuji", "wrong-password", "auth.bad_credentials"),
        ("nobody", "secret123", "auth.bad_credentials"),
        ("", "secret123", "auth.empty_fields"),
        ("shuji", "", "auth.empty_fields"),
    ],
)
def test_bad_input_writes_nothing_but_the_failed_count(session, shuji, username, password, key):
    result = auth.sign_in(session=session, username=username, password=password)
    session.commit()
    assert result.error_key == key
    assert result.token is None
    assert count(session, AuthSession) == 0
    assert count(session, AuditEntry) == 0
    failed = session.exec(select(Account.failed_attempts)).one()
    assert failed == (1 if username == "shuji" and password else 0)


def test_five_failures_lock_for_fifteen_minutes(session, shuji):
    now = utcnow()
    for _ in range(5):
        r = auth.sign_in(session=session, username="shuji", password="bad", now=now)
        assert (r.error_key, r.error_params) == ("auth.bad_credentials", None)
    session.commit()
    account = session.exec(select(Account)).one()
    assert aware_utc(account.locked_until) == now + timedelta(minutes=15)
    lock = session.exec(select(AuditEntry).where(AuditEntry.action == "lock")).one()
    assert (lock.table_name, lock.row_id) == ("account", account.id)
    # Even the right password is refused while locked, with the same answer...
    r = auth.sign_in(
        session=session, username="shuji", password="secret123", now=now + timedelta(minutes=14)
    )
    assert (r.error_key, r.token) == ("auth.bad_credentials", None)
    # ...and accepted once the 15 minutes are over.
    r = auth.sign_in(
        session=session, username="shuji", password="secret123", now=now + timedelta(minutes=15)
    )
    assert r.error_key is None and r.token


def test_unknown_wrong_and_locked_get_one_answer_after_the_same_work(session, shuji, monkeypatch):
    """Issue 11: the sign-in form tells nobody which names exist or are locked."""
    checks: list[str] = []
    real_verify = auth._verify
    monkeypatch.setattr(auth, "_verify", lambda h, p: checks.append(h) or real_verify(h, p))
    answers = {}
    for case, username in (("unknown", "nobody"), ("wrong", "shuji")):
        checks.clear()
        r = auth.sign_in(session=session, username=username, password="bad-password")
        answers[case] = (r.error_key, r.error_params, r.token, len(checks))
    for _ in range(4):
        auth.sign_in(session=session, username="shuji", password="bad-password")
    checks.clear()
    r = auth.sign_in(session=session, username="shuji", password="secret123")
    answers["locked"] = (r.error_key, r.error_params, r.token, len(checks))
    assert answers == {
        "unknown": ("auth.bad_credentials", None, None, 1),
        "wrong": ("auth.bad_credentials", None, None, 1),
        "locked": ("auth.bad_credentials", None, None, 1),
    }


def test_session_expires(session, shuji):
    now = utcnow()
    result = auth.sign_in(session=session, username="shuji", password="secret123", now=now)
    session.commit()
    assert auth.session_actor(session=session, token=result.token, now=now + timedelta(days=6))
    assert (
        auth.session_actor(session=session, token=result.token, now=now + timedelta(days=8)) is None
    )


def test_sign_out_revokes_the_session_and_its_cookie_twin(session, shuji):
    result = auth.sign_in(session=session, username="shuji", password="secret123")
    cookie_token = auth.session_redeem_handoff(session=session, code=result.handoff_code)
    session.commit()
    assert auth.session_actor(session=session, token=cookie_token).username == "shuji"
    auth.sign_out(session=session, token=cookie_token)
    session.commit()
    assert auth.session_actor(session=session, token=cookie_token) is None
    assert auth.session_actor(session=session, token=result.token) is None


def test_handoff_code_works_once_and_expires(session, shuji):
    now = utcnow()
    result = auth.sign_in(session=session, username="shuji", password="secret123", now=now)
    assert auth.session_redeem_handoff(session=session, code=result.handoff_code, now=now)
    assert auth.session_redeem_handoff(session=session, code=result.handoff_code, now=now) is None
    late = auth.sign_in(session=session, username="shuji", password="secret123", now=now)
    assert (
        auth.session_redeem_handoff(
            session=session, code=late.handoff_code, now=now + timedelta(minutes=5)
        )
        is None
    )


def test_cookie_signature_is_checked():
    value = auth.cookie_value("token-abc")
    assert auth.token_from_cookie(value) == "token-abc"
    assert auth.token_from_cookie(value[:-2] + "xx") is None
    assert auth.token_from_cookie("token-abc") is None


def test_deactivated_account_loses_its_sessions(session, shuji):
    admin = make_account(session, "admin", Role.admin, None)
    worker = make_account(session, "wangge", Role.grid_worker, shuji.community_id)
    result = auth.sign_in(session=session, username="wangge", password="secret123")
    auth.account_set_active(session=session, actor=admin, account_id=worker.id, active=False)
    session.commit()
    assert auth.session_actor(session=session, token=result.token) is None
    r = auth.sign_in(session=session, username="wangge", password="secret123")
    assert r.error_key == "auth.bad_credentials"


def test_secretary_creates_accounts_only_in_own_community(session, shuji):
    other = make_community(session, "前进社区")
    new_id = auth.account_create(
        session=session,
        actor=shuji,
        username="xiaoli",
        password="longenough",
        display_name="小李",
        role=Role.volunteer,
        community_id=shuji.community_id,
    )
    assert session.get(Account, new_id).community_id == shuji.community_id
    with pytest.raises(BoardError) as err:
        auth.account_create(
            session=session,
            actor=shuji,
            username="xiaowang",
            password="longenough",
            display_name="小王",
            role=Role.volunteer,
            community_id=other,
        )
    assert err.value.key == "access.other_community"
    with pytest.raises(BoardError) as err:
        auth.account_create(
            session=session,
            actor=shuji,
            username="boss",
            password="longenough",
            display_name="boss",
            role=Role.admin,
            community_id=None,
        )
    assert err.value.key == "access.denied"


def test_non_staff_cannot_manage_accounts(session, shuji):
    volunteer = make_account(session, "zhiyuan", Role.volunteer, shuji.community_id)
    with pytest.raises(BoardError):
        auth.account_list(session=session, actor=volunteer)


def test_community_scope(session, shuji):
    admin = make_account(session, "admin", Role.admin, None)
    assert admin.community_ids() is None
    assert shuji.community_ids() == [shuji.community_id]
    with pytest.raises(BoardError):
        shuji.community_ids(shuji.community_id + 1)
    listed = auth.account_list(session=session, actor=shuji)
    assert {r.username for r in listed} == {"shuji"}


def test_setup_admin_only_on_an_empty_database(session):
    assert auth.needs_setup(session=session)
    with pytest.raises(BoardError) as err:
        auth.setup_admin(session=session, username="admin", password="short", display_name="管理员")
    assert err.value.key == "auth.password_short"
    actor = auth.setup_admin(
        session=session, username="admin", password="long-password", display_name="管理员"
    )
    session.commit()
    assert actor.role == Role.admin
    assert not auth.needs_setup(session=session)
    with pytest.raises(BoardError) as err:
        auth.setup_admin(
            session=session, username="admin2", password="long-password", display_name="x"
        )
    assert err.value.key == "auth.setup_done"
