"""The audit trail page (issue 15): staff read each change in words, before beside after,
filter it and page through it; other roles cannot open it."""

import pytest
from sqlmodel import Session, select

from models.accounts import Account
from models.audit import AuditEntry
from models.volunteers import Volunteer
from services import db, volunteers
from services.auth import actor_of
from tests.conftest import app_test

pytestmark = pytest.mark.usefixtures("fresh_read_cache")

COLUMNS = ["时间", "操作人", "操作", "模块", "记录", "字段", "修改前", "修改后"]


def _change_a_volunteer(engine) -> None:
    """四千米社区's secretary adds 王芳 and corrects her phone."""
    with db.transaction(engine) as s:
        shuji = actor_of(s.exec(select(Account).where(Account.username == "shuji")).one())
        vid = volunteers.volunteer_create(
            session=s,
            actor=shuji,
            name="王芳",
            phone="13812340001",
            community_id=shuji.community_id,
        )
        volunteers.volunteer_update(
            session=s,
            actor=shuji,
            volunteer_id=vid,
            name="王芳",
            phone="13812340002",
            grid_id=None,
            skills="",
            party_member=False,
        )


def test_the_secretary_reads_a_change_before_beside_after(demo_engine):
    _change_a_volunteer(demo_engine)
    at = app_test(demo_engine, "shuji", "views/audit.py")
    assert not at.exception
    table = at.dataframe[0].value
    assert list(table.columns) == COLUMNS
    first = table.iloc[0]
    assert (first["操作人"], first["操作"], first["模块"], first["记录"]) == (
        "王书记",
        "修改",
        "志愿者",
        "志愿者 · 王芳",
    )
    assert (first["字段"], first["修改前"], first["修改后"]) == (
        "电话",
        "13812340001",
        "13812340002",
    )
    created = table[table["操作"] == "新建"]
    assert set(created["字段"]) >= {"姓名", "电话", "社区"}
    assert "{" not in " ".join(table.astype(str).to_numpy().ravel())  # never JSON

    # filtered to another module: nothing, said so
    at.selectbox(key="audit_module").select("merchants").run()
    assert [i.value for i in at.info] == ["这段时间没有符合条件的操作记录"]
    at.selectbox(key="audit_module").select(None).run()
    at.text_input(key="audit_record").input("王芳").run()
    assert set(at.dataframe[0].value["记录"]) == {"志愿者 · 王芳"}


def test_the_page_reads_in_english(demo_engine):
    _change_a_volunteer(demo_engine)
    at = app_test(demo_engine, "admin", "views/audit.py", lang="en")
    first = at.dataframe[0].value.iloc[0]
    assert (first["Action"], first["Module"], first["Field"], first["Before"], first["After"]) == (
        "Changed",
        "Volunteers",
        "Phone",
        "13812340001",
        "13812340002",
    )


def test_pages_through_many_changes(demo_engine):
    with Session(demo_engine) as s:
        shuji = s.exec(select(Account).where(Account.username == "shuji")).one()
        vid = s.exec(
            select(Volunteer.id).where(Volunteer.community_id == shuji.community_id)
        ).first()
        for _ in range(35):
            s.add(
                AuditEntry(
                    account_id=shuji.id,
                    action="update",
                    table_name="volunteer",
                    row_id=vid,
                    changes='{"note": ["", "已回访"]}',
                )
            )
        s.commit()
    at = app_test(demo_engine, "shuji", "views/audit.py")
    assert len(at.dataframe[0].value) == 30
    assert "共 35 条，第 1/2 页" in [c.value for c in at.caption]
    at.number_input(key="audit_page").set_value(2).run()
    assert len(at.dataframe[0].value) == 5
    assert "共 35 条，第 2/2 页" in [c.value for c in at.caption]


def test_dates_the_wrong_way_round_are_refused(demo_engine):
    at = app_test(demo_engine, "shuji", "views/audit.py")
    start = at.date_input(key="audit_start").value
    at.date_input(key="audit_end").set_value(start.replace(year=start.year - 1)).run()
    assert [w.value for w in at.warning] == ["开始日期不能晚于结束日期"]
    assert not at.dataframe


@pytest.mark.parametrize("user", ["wangge", "zhiyuan", "huiyi"])
def test_other_roles_cannot_open_it(demo_engine, user):
    at = app_test(demo_engine, user)
    with pytest.raises(ValueError):
        at.switch_page("views/audit.py").run()
