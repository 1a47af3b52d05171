"""Accounts and audit pages, and the friendly error page."""

from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from models.accounts import Account, Role
from models.audit import AuditEntry
from tests.conftest import app_test


def test_secretary_creates_a_volunteer_account_in_own_community(demo_engine):
    at = app_test(demo_engine, "shuji", "views/accounts.py")
    assert "zhiyuan" in at.dataframe[0].value.iloc[:, 0].tolist()
    assert "admin" not in at.dataframe[0].value.iloc[:, 0].tolist()  # other scopes hidden
    at.text_input(key="accounts_username").input("xiaomei")
    at.text_input(key="accounts_display_name").input("李小梅")
    at.text_input(key="accounts_password").input("a-good-password")
    at.selectbox(key="accounts_role").select(Role.volunteer)
    at.button[0].click().run()
    assert not at.exception and not at.error
    with Session(demo_engine) as s:
        row = s.exec(select(Account).where(Account.username == "xiaomei")).one()
        shuji = s.exec(select(Account).where(Account.username == "shuji")).one()
        assert row.community_id == shuji.community_id and row.role == Role.volunteer
        entry = s.exec(select(AuditEntry).where(AuditEntry.table_name == "account")).all()[-1]
        assert entry.account_id == shuji.id and entry.row_id == row.id
        assert "a-good-password" not in entry.changes


def test_short_password_is_refused_and_nothing_written(demo_engine):
    at = app_test(demo_engine, "shuji", "views/accounts.py")
    at.text_input(key="accounts_username").input("xiaomei")
    at.text_input(key="accounts_display_name").input("李小梅")
    at.text_input(key="accounts_password").input("short")
    at.button[0].click().run()
    assert [e.value for e in at.error] == ["密码至少需要 8 位"]
    with Session(demo_engine) as s:
        assert s.exec(select(Account).where(Account.username == "xiaomei")).first() is None


def test_audit_page_lists_changes(demo_engine):
    at = app_test(demo_engine, "shuji", "views/accounts.py")
    at.text_input(key="accounts_username").input("xiaomei")
    at.text_input(key="accounts_display_name").input("李小梅")
    at.text_input(key="accounts_password").input("a-good-password")
    at.button[0].click().run()
    at.switch_page("views/audit.py").run()
    table = at.dataframe[0].value
    first = table.iloc[0]
    assert (first["操作人"], first["操作"], first["记录"]) == ("王书记", "新建", "账号 · 李小梅")


def test_unexpected_error_shows_a_friendly_page():
    def script():
        from ui.errors import friendly_errors

        with friendly_errors():
            raise RuntimeError("boom")

    at = AppTest.from_function(script).run()
    assert not at.exception
    assert at.error[0].value == "抱歉，页面出了点问题"
    assert "boom" not in " ".join(m.value for m in at.markdown)


def test_a_volunteer_account_without_a_record_is_pointed_out(demo_engine):
    at = app_test(demo_engine, "shuji", "views/accounts.py")
    assert not at.warning  # the demo's volunteer accounts are all linked
    assert "登录账号最好在“志愿者”页面对应档案里创建" in " ".join(c.value for c in at.caption)
    at.text_input(key="accounts_username").input("xiaomei")
    at.text_input(key="accounts_display_name").input("李小梅")
    at.text_input(key="accounts_password").input("a-good-password")
    at.selectbox(key="accounts_role").select(Role.volunteer)
    at.button[0].click().run()
    assert not at.error
    assert "暂时无法报名：xiaomei" in at.warning[0].value


def test_deactivating_an_account_asks_first_and_acts_on_the_picked_account(demo_engine):
    """Issue 10: the account's buttons carry its id; deactivation says what it does."""
    at = app_test(demo_engine, "shuji", "views/accounts.py")
    with Session(demo_engine) as s:
        wangge = s.exec(select(Account).where(Account.username == "wangge")).one()
    at.selectbox(key="accounts_pick").set_value(wangge.id).run()
    at.button(key=f"accounts_deactivate_{wangge.id}").click().run()
    assert any("不能再登录" in w.value for w in at.warning)
    with Session(demo_engine) as s:
        assert s.get(Account, wangge.id).active  # nothing yet: only asked
    at.button(key=f"accounts_deactivate_yes_{wangge.id}").click().run()
    assert not at.error
    with Session(demo_engine) as s:
        assert not s.get(Account, wangge.id).active
    assert [m.value for m in at.success] == ["已保存"]
    assert f"accounts_reactivate_{wangge.id}" in [b.key for b in at.button]
