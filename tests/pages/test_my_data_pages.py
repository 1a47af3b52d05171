"""我的信息 and 更正申请 on the pages: a volunteer reads their own data and asks for a
correction; the community's staff resolve it and export one person's data; other roles
are refused."""

import pytest
from sqlmodel import Session, select

from models.accounts import Account
from models.privacy import CorrectionRequest, CorrectionStatus
from models.volunteers import Volunteer
from services import corrections, db
from services.auth import actor_of
from tests.conftest import app_test
from tests.pages.conftest import open_tab

pytestmark = pytest.mark.usefixtures("fresh_read_cache")


def _zhiyuan(engine) -> Volunteer:
    with Session(engine) as s:
        return s.exec(select(Volunteer).where(Volunteer.name == "张志愿")).one()


def _ask(engine, field: str, requested: str) -> int:
    with db.transaction(engine) as s:
        me = actor_of(s.exec(select(Account).where(Account.username == "zhiyuan")).one())
        return corrections.correction_create(session=s, actor=me, field=field, requested=requested)


def _request(engine, rid: int) -> CorrectionRequest:
    with Session(engine) as s:
        return s.get(CorrectionRequest, rid)


def test_a_volunteer_reads_their_data_and_asks_for_a_correction(demo_engine):
    me = _zhiyuan(demo_engine)
    at = app_test(demo_engine, "zhiyuan", "views/my_data.py")
    assert not at.exception and not at.error
    assert at.title[0].value == "我的信息"
    texts = " ".join(m.value for m in at.markdown)
    assert "张志愿" in texts and me.phone in texts  # their own phone, in full
    assert any(f"my_data_export_{me.id}" in b.proto.id for b in at.get("download_button"))
    assert {s.value for s in at.subheader} >= {
        "个人资料",
        "报名与服务时长",
        "谁查看或导出过我的信息",
    }

    at.selectbox(key="my_data_fix_field").set_value("phone").run()
    assert any(me.phone in c.value for c in at.caption)  # what the board holds, beside
    at.text_area(key=f"my_data_fix_text_{me.id}").input("13912345678")
    at.button(key=f"FormSubmitter:my_data_fix_{me.id}-提交申请").click().run()
    assert not at.exception and not at.error
    assert "已提交更正申请，社区工作人员核实后处理" in [s.value for s in at.success]
    with Session(demo_engine) as s:
        [row] = s.exec(select(CorrectionRequest)).all()
    assert (row.volunteer_id, row.field, row.requested) == (me.id, "phone", "13912345678")
    assert any("待处理" in m.value for m in at.markdown)

    # the same item again, while the first is open: refused beside the form
    at.text_area(key=f"my_data_fix_text_{me.id}").input("13700000000")
    at.button(key=f"FormSubmitter:my_data_fix_{me.id}-提交申请").click().run()
    assert any("已有一个待处理的更正申请" in e.value for e in at.error)


def test_staff_apply_a_correction_and_the_volunteer_sees_the_outcome(demo_engine):
    rid = _ask(demo_engine, "phone", "13912345678")
    at = app_test(demo_engine, "shuji", "views/corrections.py")
    assert not at.exception and not at.error
    assert any("张志愿" in m.value for m in at.markdown)
    at.button(key=f"FormSubmitter:fix_resolve_{rid}-提交").click().run()
    assert not at.exception and not at.error
    assert "已处理 张志愿 的更正申请" in [s.value for s in at.success]
    assert _request(demo_engine, rid).status == CorrectionStatus.done
    assert _zhiyuan(demo_engine).phone == "13912345678"

    mine = app_test(demo_engine, "zhiyuan", "views/my_data.py")
    assert any("已更正" in m.value for m in mine.markdown)
    assert any("13912345678" in m.value for m in mine.markdown)


def test_declining_without_a_reason_is_refused_then_done_with_one(demo_engine):
    rid = _ask(demo_engine, "hours", "上周的探访少记了 1 小时")
    at = app_test(demo_engine, "shuji", "views/corrections.py")
    at.radio(key=f"fix_outcome_{rid}").set_value("declined")
    at.button(key=f"FormSubmitter:fix_resolve_{rid}-提交").click().run()
    assert any("不予更正时请说明原因" in e.value for e in at.error)
    assert _request(demo_engine, rid).status == CorrectionStatus.open
    at.radio(key=f"fix_outcome_{rid}").set_value("declined")
    at.text_input(key=f"fix_resolution_{rid}").input("签到记录与名单一致")
    at.button(key=f"FormSubmitter:fix_resolve_{rid}-提交").click().run()
    assert not at.error
    row = _request(demo_engine, rid)
    assert (row.status, row.resolution) == (CorrectionStatus.declined, "签到记录与名单一致")
    mine = app_test(demo_engine, "zhiyuan", "views/my_data.py")
    assert any("签到记录与名单一致" in c.value for c in mine.caption)


def test_staff_export_one_persons_data(demo_engine):
    vid = _zhiyuan(demo_engine).id
    at = app_test(demo_engine, "shuji", "views/corrections.py")
    open_tab(at, "fix_tab", "导出个人信息")
    assert not at.exception
    at.selectbox(key="fix_export_volunteer").set_value(vid).run()
    [button] = [b for b in at.get("download_button") if f"fix_export_volunteer_{vid}" in b.proto.id]
    assert button.proto.label == "导出此人的全部信息（Excel）"


def test_other_roles_are_refused(demo_engine):
    for username in ("wangge", "zhiyuan", "huiyi"):
        at = app_test(demo_engine, username)
        with pytest.raises(ValueError):
            at.switch_page("views/corrections.py")
    for username in ("shuji", "admin", "wangge"):
        at = app_test(demo_engine, username)
        with pytest.raises(ValueError):
            at.switch_page("views/my_data.py")
