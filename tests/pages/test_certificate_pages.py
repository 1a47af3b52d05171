"""Certificates of volunteer service on the pages: staff issue one, a volunteer issues
their own, anyone checks a number (signed out, from the printed link)."""

from datetime import timedelta

import pytest
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from models.accounts import Account
from models.base import local_today
from models.certificates import ServiceCertificate
from models.org import Community
from models.volunteers import Volunteer
from services import certificates, db, org
from services.auth import actor_of
from tests.conftest import ROOT, app_test
from ui.text import plain

pytestmark = pytest.mark.usefixtures("fresh_read_cache")


def _account(session: Session, username: str):
    return actor_of(session.exec(select(Account).where(Account.username == username)).one())


def _zhiyuan(engine) -> Volunteer:
    with Session(engine) as s:
        return s.exec(select(Volunteer).where(Volunteer.name == "张志愿")).one()


def _set_contact(engine) -> None:
    """四千米社区's person in charge and office phone, as its secretary sets them."""
    with db.transaction(engine) as s:
        shuji = _account(s, "shuji")
        org.community_set_contact(
            session=s,
            actor=shuji,
            community_id=shuji.community_id,
            person_in_charge="王建国",
            office_phone="0471-6951234",
        )


# The demo's 张志愿 visits an elder every week, 3 approved hours, the latest nine days ago:
# the last 30 days hold four of them (9, 16, 23 and 30 days ago).
LAST_30_DAYS = (local_today() - timedelta(days=30), local_today())


def _certificates(engine) -> list[ServiceCertificate]:
    with Session(engine) as s:
        return list(s.exec(select(ServiceCertificate)))


def test_staff_preview_and_issue_a_certificate(demo_engine):
    _set_contact(demo_engine)
    vid = _zhiyuan(demo_engine).id
    at = app_test(demo_engine, "shuji", "views/certificates.py")
    assert not at.exception
    at.selectbox(key="cert_volunteer").set_value(vid).run()
    at.date_input(key="cert_period").set_value(LAST_30_DAYS).run()
    assert (
        f"张志愿（志愿者编号：{_zhiyuan(demo_engine).community_id:03d}-{vid:06d}）：4 次服务，累计 12 小时"
        in [m.value for m in at.markdown]
    )
    at.button(key=f"cert_issue_{vid}").click().run()
    assert not at.exception and not at.error
    [cert] = _certificates(demo_engine)
    assert (cert.volunteer_id, cert.service_count, cert.total_hours) == (vid, 4, 12.0)
    assert (cert.period_start, cert.period_end) == LAST_30_DAYS
    assert f"已开具证明 {cert.number}" in [s.value for s in at.success]
    keys = [b.proto.id for b in at.get("download_button")]
    assert any(f"cert_new_pdf_{cert.id}" in k for k in keys)  # the one just issued, at hand
    assert cert.number in at.dataframe[-1].value.iloc[:, 0].tolist()


def test_staff_are_told_where_to_set_the_person_in_charge(demo_engine):
    vid = _zhiyuan(demo_engine).id
    with Session(demo_engine) as s:  # an office that has not named them yet
        community = s.get(Community, _account(s, "shuji").community_id)
        community.person_in_charge = community.office_phone = ""
        s.add(community)
        s.commit()
    at = app_test(demo_engine, "shuji", "views/certificates.py")
    at.selectbox(key="cert_volunteer").set_value(vid).run()
    assert any("组织架构" in w.value for w in at.warning)
    at.button(key=f"cert_issue_{vid}").click().run()
    assert any("尚未填写证明的负责人和办公电话" in e.value for e in at.error)
    assert _certificates(demo_engine) == []


def test_the_organisation_page_sets_the_person_in_charge(demo_engine):
    at = app_test(demo_engine, "shuji", "views/organisation.py")
    with Session(demo_engine) as s:
        cid = _account(s, "shuji").community_id
    at.text_input(key=f"org_c_person_{cid}").input("王建国")
    at.text_input(key=f"org_c_phone_{cid}").input("0471 6951234")
    at.button(key=f"FormSubmitter:org_contact_{cid}-保存").click().run()
    assert not at.exception and not at.error
    with Session(demo_engine) as s:
        row = s.get(Community, cid)
        assert (row.person_in_charge, row.office_phone) == ("王建国", "0471-6951234")
    at.text_input(key=f"org_c_phone_{cid}").input("12345")
    at.button(key=f"FormSubmitter:org_contact_{cid}-保存").click().run()
    assert any("办公电话格式不正确" in e.value for e in at.error)


def test_a_volunteer_issues_their_own_certificate(demo_engine):
    _set_contact(demo_engine)
    zhiyuan = _zhiyuan(demo_engine)
    at = app_test(demo_engine, "zhiyuan", "views/my_tasks.py")
    at.date_input(key="my_cert_period").set_value(LAST_30_DAYS).run()
    at.button(key=f"my_cert_issue_{zhiyuan.id}").click().run()
    assert not at.exception and not at.error
    [cert] = _certificates(demo_engine)
    assert (cert.volunteer_id, cert.issued_by) == (zhiyuan.id, zhiyuan.account_id)
    assert (cert.service_count, cert.total_hours) == (4, 12.0)
    assert f"已开具证明 {cert.number}" in [s.value for s in at.success]
    assert any(f"my_pdf_{cert.id}" in b.proto.id for b in at.get("download_button"))


def _check_page(engine, number: str | None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.session_state["ui_lang"] = "zh_CN"
    if number is not None:
        at.query_params["no"] = number
    at.switch_page("views/certificate_check.py")
    return at.run()


def test_anyone_checks_a_number_from_the_printed_link(demo_engine):
    _set_contact(demo_engine)
    vid = _zhiyuan(demo_engine).id
    with db.transaction(demo_engine) as s:
        issued = certificates.issue_certificate(
            session=s,
            actor=_account(s, "shuji"),
            volunteer_id=vid,
            period_start=LAST_30_DAYS[0],
            period_end=LAST_30_DAYS[1],
        )
    at = _check_page(demo_engine, issued.number)  # signed out
    assert not at.exception
    assert [s.value for s in at.success] == [
        f"证明有效：编号 {plain(issued.number)} 由本看板开具，所载服务记录未变动。"
    ]
    shown = " ".join(m.value for m in at.markdown)
    assert "张\\*\\*" in shown and "张志愿" not in shown
    assert "12 小时" in shown and "四千米社区" in shown


def test_an_unknown_number_typed_is_not_found(demo_engine):
    at = _check_page(demo_engine, None)
    at.text_input(key="certcheck_no").input("zyzm-2026-999999")
    at.button(key="FormSubmitter:certcheck_form-查验").click().run()
    assert [e.value for e in at.error] == [
        f"没有编号为 {plain('ZYZM-2026-999999')} 的证明。请核对编号后再试。"
    ]
