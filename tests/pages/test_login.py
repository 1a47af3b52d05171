"""The sign-in and first-start pages."""

from sqlalchemy import func
from sqlmodel import Session, select

from models.accounts import Account, AuthSession
from services.i18n import translate
from tests.conftest import app_test


def _sign_in(at, username, password):
    at.text_input(key="login_username").input(username)
    at.text_input(key="login_password").input(password)
    at.button[0].click().run()
    return at


def test_wrong_password_is_refused_in_chinese(demo_engine):
    at = _sign_in(app_test(demo_engine, None), "shuji", "wrong")
    assert [e.value for e in at.error] == [translate("auth.bad_credentials", "zh_CN")]
    unknown = _sign_in(app_test(demo_engine, None), "no-such-user", "wrong")
    assert [e.value for e in unknown.error] == [e.value for e in at.error]
    with Session(demo_engine) as s:
        assert s.exec(select(func.count()).select_from(AuthSession)).one() == 0


def test_empty_fields_are_refused(demo_engine):
    at = _sign_in(app_test(demo_engine, None), "", "")
    assert [e.value for e in at.error] == ["请填写所有必填项"]


def test_english_switch_translates_the_form(demo_engine):
    at = app_test(demo_engine, None)
    at.selectbox(key="ui_lang").select("en").run()
    assert at.button[0].label == "Sign in"
    at = _sign_in(at, "nobody", "whatever")
    assert [e.value for e in at.error] == [translate("auth.bad_credentials", "en")]
    assert at.error[0].value.startswith("Wrong username or password.")


def test_sign_in_opens_the_role_s_landing_page(demo_engine):
    at = _sign_in(app_test(demo_engine, None), "shuji", "demo1234")
    assert not at.exception
    assert at.title[0].value == "工作看板"
    assert "王书记 · 社区书记" in [c.value for c in at.sidebar.caption]
    assert at.session_state["auth_token"]


def test_sign_out_ends_the_session(demo_engine):
    at = app_test(demo_engine, "shuji")
    at.button(key="nav_sign_out").click().run()
    with Session(demo_engine) as s:
        live = s.exec(
            select(func.count()).select_from(AuthSession).where(AuthSession.revoked_at.is_(None))
        )
        assert live.one() == 0
    at.run()
    assert at.text_input(key="login_username")


def test_first_start_creates_the_admin(engine, monkeypatch):
    monkeypatch.setenv("BOARD_DEMO", "0")
    at = app_test(engine, None)
    assert at.title[0].value == translate("setup.title")
    at.text_input(key="setup_username").input("jiedao")
    at.text_input(key="setup_display_name").input("街道管理员")
    at.text_input(key="setup_password").input("a-long-password")
    at.text_input(key="setup_confirm").input("a-long-password")
    at.button[0].click().run()
    assert not at.exception
    with Session(engine) as s:
        admin = s.exec(select(Account)).one()
    assert admin.username == "jiedao" and admin.role == "admin"
    # signed in, the first start goes on with the street and its communities
    assert at.title[0].value == translate("org.setup.title")
    assert "街道管理员 · 街道管理员" in [c.value for c in at.sidebar.caption]


def test_setup_refuses_mismatched_passwords(engine):
    at = app_test(engine, None)
    at.text_input(key="setup_username").input("jiedao")
    at.text_input(key="setup_display_name").input("街道管理员")
    at.text_input(key="setup_password").input("a-long-password")
    at.text_input(key="setup_confirm").input("another-password")
    at.button[0].click().run()
    assert [e.value for e in at.error] == [translate("setup.mismatch")]
    with Session(engine) as s:
        assert s.exec(select(func.count()).select_from(Account)).one() == 0


def test_a_run_looks_up_the_signed_in_person_once_and_the_next_run_again(demo_engine):
    """The router and the page's guard both ask who is signed in: one look-up a run (a
    round trip each on PostgreSQL), and a session ended elsewhere ends the next run."""
    from sqlalchemy import event

    at = app_test(demo_engine, "shuji", "views/elders.py")
    looked_up: list[str] = []

    def count(conn, cursor, statement, *args):
        if statement.lstrip().startswith("SELECT authsession."):
            looked_up.append(statement)

    event.listen(demo_engine, "before_cursor_execute", count)
    try:
        at.run()
        assert not at.exception and at.title[0].value == "关爱老人"
        assert len(looked_up) == 1
        with Session(demo_engine) as s:  # signed out on another device: every session ends
            for row in s.exec(select(AuthSession)):
                row.revoked_at = row.created_at
                s.add(row)
            s.commit()
        at.run()
        assert at.text_input(key="login_username")  # the next run looked again
    finally:
        event.remove(demo_engine, "before_cursor_execute", count)
