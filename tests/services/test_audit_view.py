"""The audit trail as staff read it (issue 15): the record's name, the action in words, the
module, field names in the reader's language, before beside after; filters by person,
date, module and record name; paged in SQL; a secretary's scope; refused to others."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import event
from sqlmodel import Session, SQLModel, select

from models.accounts import Role
from models.audit import AuditEntry
from models.base import local_today, utcnow
from models.events import EventStatus
from models.volunteers import TaskKind, TaskStatus
from services import elders, events, merchants, org, registrations, tasks, teams, volunteers
from services.access import Actor
from services.audit_text import MODULES
from services.audit_view import Change, TrailFilters, TrailLine, audit_people, audit_trail
from services.errors import BoardError
from services.i18n import catalog
from tests import factories
from tests.conftest import make_account, make_community

TODAY = local_today()
_phones = iter(range(13800001000, 13800009999))


def trail(session: Session, actor: Actor, lang: str = "zh_CN", **filters) -> list[TrailLine]:
    return audit_trail(
        session=session, actor=actor, lang=lang, filters=TrailFilters(**filters), page_size=500
    ).lines


def heads(lines: list[TrailLine]) -> set[tuple[str, str, str, str]]:
    return {(line.action, line.module, line.record_type, line.record) for line in lines}


def add_volunteer(
    session: Session, actor: Actor, community_id: int, name: str = "王芳", phone: str = ""
) -> int:
    vid = volunteers.volunteer_create(
        session=session,
        actor=actor,
        name=name,
        phone=phone or str(next(_phones)),
        community_id=community_id,
        skills=["first_aid"],
        party_member=True,
    )
    session.commit()
    return vid


def test_each_module_reads_created_changed_and_deactivated_by_name(session, w):
    s, cid = w.shuji, w.community_id
    vid = add_volunteer(session, s, cid)
    volunteers.volunteer_update(
        session=session,
        actor=s,
        volunteer_id=vid,
        name="王芳芳",
        phone="13900002222",
        grid_id=None,
        skills="",
        party_member=True,
    )
    volunteers.volunteer_set_active(session=session, actor=s, volunteer_id=vid, active=False)
    eid = elders.elder_create(
        session=session,
        actor=s,
        name="李大爷",
        birth_date=date(1940, 1, 2),
        address="大学西路12号3单元401",
        community_id=cid,
        today=TODAY,
    )
    elders.elder_deactivate(session=session, actor=s, elder_id=eid, reason="搬走", today=TODAY)
    elders.elder_reactivate(session=session, actor=s, elder_id=eid)
    mid = merchants.merchant_create(
        session=session,
        actor=s,
        community_id=cid,
        shop_name="老绥元烧卖馆",
        owner_name="王老板",
        phone="13847112345",
        address="大召前街12号",
    )
    merchants.merchant_deactivate(session=session, actor=s, merchant_id=mid)
    team = teams.team_create(session=session, actor=s, name="红马甲服务队", community_id=cid)
    teams.team_update(
        session=session, actor=s, team_id=team, name="红马甲", purpose="助老", leader_id=None
    )
    teams.team_set_active(session=session, actor=s, team_id=team, active=False)
    start = utcnow() + timedelta(days=2)
    tid = tasks.task_create(
        session=session,
        actor=s,
        title="探访独居老人",
        kind=TaskKind.elder_visit,
        community_id=cid,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        capacity=3,
        place="社区活动室",
    )
    tasks.task_set_status(session=session, actor=s, task_id=tid, status=TaskStatus.cancelled)
    events.event_create(
        session=session,
        actor=s,
        title="剪纸体验",
        category="heritage",
        community_id=cid,
        venue="文化站",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        capacity=20,
    )
    org.community_rename(session=session, actor=w.admin, community_id=cid, name="四千米新社区")
    session.commit()

    assert heads(trail(session, w.admin)) >= {
        ("新建", "志愿者", "志愿者", "王芳芳"),
        ("修改", "志愿者", "志愿者", "王芳芳"),
        ("停用", "志愿者", "志愿者", "王芳芳"),
        ("新建", "老人", "老人", "李大爷"),
        ("停用", "老人", "老人", "李大爷"),
        ("恢复", "老人", "老人", "李大爷"),
        ("新建", "商户", "商户", "老绥元烧卖馆"),
        ("停用", "商户", "商户", "老绥元烧卖馆"),
        ("新建", "服务队", "服务队", "红马甲"),
        ("修改", "服务队", "服务队", "红马甲"),
        ("停用", "服务队", "服务队", "红马甲"),
        ("新建", "任务", "任务", "探访独居老人"),
        ("修改", "任务", "任务", "探访独居老人"),
        ("新建", "活动", "活动", "剪纸体验"),
        ("修改", "组织", "社区", "四千米新社区"),
    }
    assert heads(trail(session, w.admin, "en")) >= {
        ("Created", "Volunteers", "Volunteer", "王芳芳"),
        ("Deactivated", "Elders", "Elder", "李大爷"),
        ("Reactivated", "Elders", "Elder", "李大爷"),
        ("Changed", "Organisation", "Community", "四千米新社区"),
    }


def test_changes_are_field_before_after_in_the_readers_language(session, w):
    vid = add_volunteer(session, w.shuji, w.community_id, phone="13800001111")
    volunteers.volunteer_update(
        session=session,
        actor=w.shuji,
        volunteer_id=vid,
        name="王芳芳",
        phone="13900002222",
        grid_id=None,
        skills="",
        party_member=False,
    )
    session.commit()
    changed, created = trail(session, w.shuji)
    assert changed.changes == (
        Change("姓名", "王芳", "王芳芳"),
        Change("电话", "13800001111", "13900002222"),
        Change("技能", "急救", "—"),
        Change("党员", "是", "否"),
    )
    changed_en, _ = trail(session, w.shuji, "en")
    assert changed_en.changes == (
        Change("Name", "王芳", "王芳芳"),
        Change("Phone", "13800001111", "13900002222"),
        Change("Skills", "First aid", "—"),
        Change("Party member", "yes", "no"),
    )
    # a creation lists its values, ids as names, and nothing raw
    assert created.changes == (
        Change("姓名", "", "王芳"),
        Change("电话", "", "13800001111"),
        Change("社区", "", "四千米社区"),
        Change("技能", "", "急救"),
        Change("党员", "", "是"),
        Change("加入日期", "", TODAY.isoformat()),
    )
    assert created.who == "shuji" + str(w.community_id)


def test_coded_values_times_and_json_read_as_words(session, w):
    start = utcnow().replace(microsecond=0) + timedelta(days=2)
    tid = tasks.task_create(
        session=session,
        actor=w.shuji,
        title="探访独居老人",
        kind=TaskKind.elder_visit,
        community_id=w.community_id,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        capacity=3,
        place="社区活动室",
    )
    tasks.task_set_status(session=session, actor=w.shuji, task_id=tid, status=TaskStatus.cancelled)
    session.commit()
    cancelled, created = trail(session, w.shuji)
    assert cancelled.changes == (Change("状态", "招募中", "已取消"),)
    shown = {c.field: c.after for c in created.changes}
    assert shown["类型"] == "探访老人"
    local_start = (start + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M")  # Asia/Shanghai
    assert shown["开始时间"] == local_start
    # an export's entry: its filters in words, never JSON
    factories.volunteer(session, w.community_id)
    from services import audit

    audit.record_event(
        session,
        actor_id=w.shuji.id,
        action="export",
        table_name="volunteer",
        changes={"rows": 3, "filters": {"community_id": w.community_id}, "file": "名册.xlsx"},
    )
    session.commit()
    export = trail(session, w.shuji)[0]
    assert (export.action, export.module, export.record) == ("导出", "志愿者", "名册.xlsx")
    assert Change("筛选条件", "", "社区：四千米社区") in export.changes
    assert not any(
        "{" in c.after or "[" in c.after for line in trail(session, w.shuji) for c in line.changes
    )


def test_filters_by_person_module_record_and_date(session, w):
    other = make_account(session, "wangge", Role.secretary, w.community_id)
    add_volunteer(session, w.shuji, w.community_id, "王芳")
    add_volunteer(session, other, w.community_id, "赵敏")
    merchants.merchant_create(
        session=session,
        actor=w.shuji,
        community_id=w.community_id,
        shop_name="老绥元烧卖馆",
        owner_name="王老板",
        phone="13847112345",
        address="大召前街12号",
    )
    session.commit()
    assert {line.record for line in trail(session, w.admin, account_id=other.id)} == {"赵敏"}
    assert {line.record for line in trail(session, w.admin, module="merchants")} == {"老绥元烧卖馆"}
    assert {line.record for line in trail(session, w.admin, record="王")} == {
        "王芳"
    }  # not 王老板's shop
    assert {line.record for line in trail(session, w.admin, record="烧卖")} == {"老绥元烧卖馆"}
    # an entry of ten days ago: outside a range that starts a week ago, inside the default
    old = session.exec(select(AuditEntry).where(AuditEntry.table_name == "merchant")).one()
    old.at = utcnow() - timedelta(days=10)
    session.add(old)
    session.commit()
    week = trail(session, w.admin, start=TODAY - timedelta(days=7))
    assert {line.record for line in week} == {"王芳", "赵敏"}
    assert "老绥元烧卖馆" in {line.record for line in trail(session, w.admin)}
    ten_days_ago = TODAY - timedelta(days=10)
    only = trail(session, w.admin, start=ten_days_ago, end=ten_days_ago)
    assert [line.record for line in only] == ["老绥元烧卖馆"]
    assert [p.name for p in audit_people(session=session, actor=w.shuji)] == [
        f"shuji{w.community_id}",
        "wangge",
    ]


def test_pages_newest_first_counted_in_sql(session, w):
    for n in range(7):
        add_volunteer(session, w.shuji, w.community_id, f"志愿者{n}")
    first = audit_trail(session=session, actor=w.shuji, lang="zh_CN", page=1, page_size=3)
    assert (first.total, first.pages, first.page) == (7, 3, 1)
    assert [line.record for line in first.lines] == ["志愿者6", "志愿者5", "志愿者4"]
    last = audit_trail(session=session, actor=w.shuji, lang="zh_CN", page=9, page_size=3)
    assert last.page == 3 and [line.record for line in last.lines] == ["志愿者0"]


def test_names_are_looked_up_once_per_table_not_per_entry(session, w, engine):
    def statements(n: int) -> int:
        for i in range(n):
            add_volunteer(session, w.shuji, w.community_id, f"新{n}{i}")
        seen: list[str] = []

        def count(*args, **kwargs) -> None:
            seen.append(args[2])

        event.listen(engine, "before_cursor_execute", count)
        try:
            trail(session, w.shuji)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(seen)

    assert statements(2) == statements(12)


def test_a_secretary_sees_her_communitys_records_whoever_changed_them(session, w):
    other = factories.world(session, "前进社区")
    add_volunteer(session, w.admin, w.community_id, "王芳")  # by the street admin
    add_volunteer(session, other.shuji, other.community_id, "赵敏")
    start = utcnow() + timedelta(days=3)
    event_id = events.event_create(
        session=session,
        actor=w.shuji,
        title="剪纸体验",
        category="heritage",
        community_id=w.community_id,
        venue="文化站",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        capacity=20,
    )
    events.event_set_status(
        session=session, actor=w.shuji, event_id=event_id, status=EventStatus.published
    )
    session.commit()
    registrations.registration_create(
        session=session, event_id=event_id, name="刘阿姨", phone="13911112222", party_size=2
    )
    session.commit()
    mine = trail(session, w.shuji)
    assert {line.record for line in mine} == {"王芳", "剪纸体验", "刘阿姨 · 剪纸体验"}
    registered = next(line for line in mine if line.record.startswith("刘阿姨"))
    assert (registered.who, registered.action) == ("公众或系统", "活动报名")
    assert {line.record for line in trail(session, other.shuji)} == {"赵敏"}
    assert {line.record for line in trail(session, w.admin)} >= {"王芳", "赵敏", "剪纸体验"}


def test_another_communitys_personal_data_is_masked(session, w):
    other = factories.world(session, "前进社区")
    theirs = add_volunteer(session, other.shuji, other.community_id, "赵晓敏", "13800001111")
    # an entry made by an account of her community about a record of another one
    session.add(
        AuditEntry(
            account_id=w.shuji.id,
            action="update",
            table_name="volunteer",
            row_id=theirs,
            changes='{"phone": ["13800001111", "13911112222"], "note": ["", "x"]}',
        )
    )
    session.commit()
    line = trail(session, w.shuji)[0]
    assert line.record == "赵**"
    assert line.changes == (Change("电话", "138****1111", "139****2222"), Change("备注", "—", "x"))
    assert trail(session, w.admin)[0].record == "赵晓敏"


@pytest.mark.parametrize("role", [Role.grid_worker, Role.volunteer, Role.display])
def test_refused_to_everyone_but_staff(session, w, role):
    actor = make_account(session, f"u_{role}", role, w.community_id)
    with pytest.raises(BoardError) as refused:
        audit_trail(session=session, actor=actor, lang="zh_CN")
    assert refused.value.key == "access.denied"
    with pytest.raises(BoardError):
        audit_people(session=session, actor=actor)


def test_every_table_has_a_module_and_a_record_type_and_fields_a_label():
    tables = set(SQLModel.metadata.tables)
    assert tables - set(MODULES) == set()
    audited = {
        "volunteer", "elder", "merchant", "event", "task", "team", "community", "grid",
        "street", "account", "resident_case", "casedepartment", "caselimit", "calendarday",
        "visit", "visitcampaign", "visittier", "referral", "elderchange", "signup",
        "registration", "proxyrequest", "proxyrectification", "merchantfiling",
        "servicecertificate", "importbatch", "mediation", "casephoto", "starthreshold",
        "correctionrequest", "task_series",
    }  # fmt: skip
    hidden = {"id", "password_hash", "data", "thumbnail", "digest"}
    for lang in ("zh_CN", "en"):
        keys = catalog(lang)
        assert [t for t in tables if f"audit_view.type.{t}" not in keys] == []
        assert [m for m in set(MODULES.values()) if f"audit_view.module.{m}" not in keys] == []
        unlabelled = [
            f"{t}.{c.name}"
            for t in audited
            for c in SQLModel.metadata.tables[t].columns
            if c.name not in hidden
            and f"audit_view.field.{c.name}" not in keys
            and f"audit_view.field.{t}.{c.name}" not in keys
        ]
        assert unlabelled == [], lang


def test_unknown_actions_and_fields_read_as_stored(session, w):
    make_community(session, "义和巷社区")
    session.add(
        AuditEntry(
            account_id=w.admin.id,
            action="frobnicate",
            table_name="community",
            row_id=w.community_id,
            changes='{"mystery": 3}',
        )
    )
    session.commit()
    line = trail(session, w.admin)[0]
    assert (line.action, line.record) == ("frobnicate", "四千米社区")
    assert line.changes == (Change("mystery", "", "3"),)
