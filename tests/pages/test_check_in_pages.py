"""扫码签到 (views/check_in.py): a volunteer opening the QR's link is checked in and told
so with the time; a typed code works too; refusals in words; staff do not have the page."""

from datetime import timedelta

import pytest
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from models.accounts import Account, Role
from models.base import utcnow
from models.volunteers import Signup, TaskKind, Volunteer
from services import check_in_codes, db, signups, tasks
from services.auth import actor_of
from services.i18n import translate
from tests.conftest import ROOT, app_test, make_account, sign_in_token

pytestmark = pytest.mark.usefixtures("fresh_read_cache")


def _place(engine, username: str) -> tuple[int, int]:
    """A volunteer (password demo1234) with a confirmed place on a task that began ten
    minutes ago. Returns (task id, sign-up id)."""
    with Session(engine) as s:
        actor = make_account(s, username, Role.volunteer, 1, password="demo1234")
        s.add(
            Volunteer(
                name="扫码测试",
                phone=f"1370002{actor.id:04}",
                community_id=1,
                joined_on=utcnow().date(),
                account_id=actor.id,
            )
        )
        s.commit()
        shuji = actor_of(s.exec(select(Account).where(Account.username == "shuji")).one())
    starts = utcnow() - timedelta(minutes=10)
    with db.transaction(engine) as s:
        task_id = tasks.task_create(
            session=s,
            actor=shuji,
            title="扫码签到测试",
            kind=TaskKind.other,
            community_id=1,
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            capacity=3,
            place="社区党群服务中心",
        )
        sid = signups.signup_create(
            session=s, actor=actor, task_id=task_id, now=starts - timedelta(days=1)
        ).signup_id
    return task_id, sid


def _signup(engine, sid) -> Signup:
    with Session(engine) as s:
        return s.get(Signup, sid)


def _texts(at) -> str:
    return " ".join(
        e.value for kind in ("markdown", "error", "header", "subheader") for e in at.get(kind)
    )


def test_the_qr_link_checks_the_volunteer_in_once(demo_engine):
    task_id, sid = _place(demo_engine, "saoma1")
    code = check_in_codes.current_code(task_id, utcnow())
    at = app_test(demo_engine, "saoma1", "views/check_in.py")
    at.query_params["task"] = str(task_id)
    at.query_params["code"] = code
    at.run()
    assert not at.exception and not at.error
    row = _signup(demo_engine, sid)
    assert (row.status, row.check_in_way) == ("attended", "scan")
    assert "签到成功" in _texts(at)
    assert "扫码签到测试" in _texts(at)
    assert "code" not in at.query_params  # a reload does not try it again
    at.run()
    assert _signup(demo_engine, sid).check_in_at == row.check_in_at


def test_a_wrong_code_is_refused_in_words_and_a_typed_code_works(demo_engine):
    task_id, sid = _place(demo_engine, "saoma2")
    at = app_test(demo_engine, "saoma2", "views/check_in.py")
    at.query_params["task"] = str(task_id)
    at.query_params["code"] = (
        "000000" if check_in_codes.current_code(task_id, utcnow()) != "000000" else "111111"
    )
    at.run()
    assert [e.value for e in at.error] == ["签到码不对或已过期，请重新扫描现场的二维码"]
    assert _signup(demo_engine, sid).check_in_at is None
    at.text_input(key="check_in_code").input(check_in_codes.current_code(task_id, utcnow()))
    at.button(key="FormSubmitter:check_in_form-签到").click().run()
    assert not at.error
    assert "签到成功" in _texts(at)
    assert _signup(demo_engine, sid).check_in_way == "scan"


def test_no_sign_up_is_refused_and_signing_up_is_offered_not_done(demo_engine):
    task_id, _sid = _place(demo_engine, "saoma3")
    with Session(demo_engine) as s:
        make_account(s, "saoma4", Role.volunteer, 1, password="demo1234")
        actor = actor_of(s.exec(select(Account).where(Account.username == "saoma4")).one())
        s.add(
            Volunteer(
                name="没报名的",
                phone="13700029999",
                community_id=1,
                joined_on=utcnow().date(),
                account_id=actor.id,
            )
        )
        s.commit()
    at = app_test(demo_engine, "saoma4", "views/check_in.py")
    at.query_params["task"] = str(task_id)
    at.query_params["code"] = check_in_codes.current_code(task_id, utcnow())
    at.run()
    assert [e.value for e in at.error] == [
        "您还没有报名这个任务。还有空余名额：请先在“报名服务”里报名，再扫码签到"
    ]
    assert "去报名这个任务" in [link.label for link in at.get("page_link")]
    with Session(demo_engine) as s:
        assert len(s.exec(select(Signup).where(Signup.task_id == task_id)).all()) == 1


def test_staff_do_not_have_the_check_in_page(demo_engine):
    at = app_test(demo_engine, "shuji")
    with pytest.raises(ValueError):
        at.switch_page("views/check_in.py")  # not in staff's navigation
    direct = AppTest.from_file(str(ROOT / "views/check_in.py"), default_timeout=30)
    direct.session_state["auth_token"] = sign_in_token(demo_engine, "shuji")
    direct.run()
    assert [e.value for e in direct.error] == [
        translate("access.denied_page", "zh_CN", page=translate("nav.check_in"))
    ]


def test_a_sixth_code_within_a_minute_is_refused_without_being_tried(demo_engine):
    """Six digits live three minutes: a few tries a minute leave guessing hopeless."""
    task_id, sid = _place(demo_engine, "saoma5")
    right = check_in_codes.current_code(task_id, utcnow())
    wrong = "000000" if right != "000000" else "111111"
    at = app_test(demo_engine, "saoma5", "views/check_in.py")
    at.query_params["task"] = str(task_id)
    at.run()
    for _ in range(5):
        at.text_input(key="check_in_code").input(wrong)
        at.button(key="FormSubmitter:check_in_form-签到").click().run()
    assert not at.warning
    at.text_input(key="check_in_code").input(right)
    at.button(key="FormSubmitter:check_in_form-签到").click().run()
    assert at.warning[0].value.startswith("尝试次数过多")
    assert _signup(demo_engine, sid).check_in_at is None
