"""Elder pages per role: the overdue list, the registry, registration, the policy, and
recording a visit."""

import re
from collections import Counter
from datetime import date, timedelta

import pytest
from sqlalchemy import func
from sqlmodel import Session, col, select

from models.accounts import Account
from models.elders import (
    Elder,
    ElderChange,
    ElderVisitor,
    Referral,
    Visit,
    VisitCampaign,
    VisitCampaignElder,
    VisitTier,
)
from models.org import Grid
from services import elders, visits
from services.auth import actor_of
from services.db import transaction
from services.referrals import ReferralDraft
from services.visit_content import AREAS, Checklist, VisitContent
from tests.conftest import app_test
from tests.pages.conftest import open_tab
from ui import actions
from ui.filters import today

# tests here write (a new elder takes the id the next test's demo gives another): each
# starts with an empty read cache
pytestmark = pytest.mark.usefixtures("fresh_read_cache")


def _overdue(at) -> int:
    """The count at the top of the open overdue tab ("逾期未探访 12 人")."""
    (heading,) = [h.value for h in at.header if h.value.startswith("逾期未探访 ")]
    return int(heading.split()[1])


def _registry(at):
    return open_tab(at, "elders_tab", "老人名册")


def test_secretary_sees_the_overdue_list_first(demo_engine):
    at = app_test(demo_engine, "shuji", "views/elders.py")
    assert at.tabs[0].label == "逾期未探访"
    n = _overdue(at)
    assert n > 0
    table = at.dataframe[0].value
    assert len(table) == min(n, elders.LIST_LIMIT)
    assert (table["逾期天数"] > 0).all()
    assert table["逾期天数"].is_monotonic_decreasing
    assert "*" not in "".join(table["电话"])  # staff see full numbers


def test_grid_worker_sees_full_numbers_only_of_assigned_elders(demo_engine):
    at = app_test(demo_engine, "wangge", "views/elders.py")
    assert not at.exception
    assert len(at.tabs) == 5  # no registration or policy tabs; the referrals of their grid
    registry = _registry(at).dataframe[0].value
    with Session(demo_engine) as s:
        wangge = s.exec(select(Account).where(Account.username == "wangge")).one()
        mine = set(
            s.exec(select(ElderVisitor.elder_id).where(ElderVisitor.account_id == wangge.id))
        )
        rows = s.exec(
            select(Elder.id, Elder.name, Elder.phone).where(
                Elder.community_id == wangge.community_id, Elder.active
            )
        ).all()
    expected = Counter(
        (name, phone if elder_id in mine else f"{phone[:3]}****{phone[-4:]}")
        for elder_id, name, phone in rows
    )
    assert Counter(zip(registry["姓名"], registry["电话"], strict=True)) == expected
    masked = sum(1 for elder_id, _, _ in rows if elder_id not in mine)
    assert 0 < masked < len(rows)  # the demo has both kinds, so both rules are checked


def test_registry_flags_unassigned_elders_and_filters_them(demo_engine):
    with Session(demo_engine) as s:
        assigned = select(ElderVisitor.elder_id)
        unassigned = s.exec(
            select(Elder.name).where(
                Elder.community_id == 1, Elder.active, Elder.id.not_in(assigned)
            )
        ).all()
    assert unassigned, "the demo leaves some elders without a visitor"
    at = _registry(app_test(demo_engine, "shuji", "views/elders.py"))
    assert f"有 {len(unassigned)} 位老人还没有分配探访人" in at.warning[0].value
    registry = at.dataframe[0].value
    flagged = registry.loc[registry["探访人"].str.startswith("⚠"), "姓名"]
    assert sorted(flagged) == sorted(unassigned)
    at.toggle(key="elders_unassigned_only").set_value(True).run()
    only = at.dataframe[0].value
    assert sorted(only["姓名"]) == sorted(unassigned)
    assert (only["探访人"] == "⚠ 未分配探访人").all()


def test_secretary_registers_an_elder_with_care_level_and_visitors(demo_engine):
    with Session(demo_engine) as s:
        wangge, zhiyuan = (
            s.exec(select(Account.id).where(Account.username == u)).one()
            for u in ("wangge", "zhiyuan")
        )
    at = open_tab(app_test(demo_engine, "shuji", "views/elders.py"), "elders_tab", "登记老人")
    at.text_input(key="elders_name").input("乌云其其格")
    at.text_input(key="elders_address").input("学府康都5号楼1单元302")
    at.date_input(key="elders_birth").set_value(date(1940, 2, 3))
    at.multiselect(key="elders_situations").select("独居")
    at.number_input(key="elders_care").set_value(3)
    at.multiselect(key="elders_visitors").select(wangge).select(zhiyuan)
    at.button(key="FormSubmitter:elders_new-创建").click().run()
    assert not at.error
    with Session(demo_engine) as s:
        row = s.exec(select(Elder).where(Elder.name == "乌云其其格")).one()
        assert (row.situations, row.registered_on, row.community_id) == ("独居", today(), 1)
        assert row.care_level == 3
        visitors = s.exec(select(ElderVisitor.account_id).where(ElderVisitor.elder_id == row.id))
        assert sorted(visitors) == sorted([wangge, zhiyuan])


def test_situations_and_visit_modes_are_shown_in_english(demo_engine):
    at = app_test(demo_engine, "shuji")
    at.session_state["ui_lang"] = "en"  # switched after landing (see the report on lang="en")
    at.switch_page("views/elders.py").run()
    open_tab(at, "elders_tab", "Registry")
    assert not at.exception
    registry = at.dataframe[0].value
    shown = "".join(registry["Living situation"])
    assert "Lives alone" in shown and "独居" not in shown and "空巢" not in shown
    timeline = " ".join(m.value for m in at.markdown)
    # the mode between dots (a note may say 上门 in the words someone typed)
    assert "· Home visit ·" in timeline and "· 上门 ·" not in timeline
    record = app_test(demo_engine, "wangge", "views/visit_record.py", lang="en")
    elder_id = record.selectbox(key="visit_elder").value
    modes = record.button_group(key=f"visit_mode_{elder_id}")
    assert [o.content for o in modes.proto.options] == ["Home visit", "Phone call", "Video call"]
    assert modes.value == "上门"  # the stored value stays the same


def test_secretary_keeps_own_tiers_and_the_registry_says_each_elders_tier(demo_engine):
    at = _registry(app_test(demo_engine, "shuji", "views/elders.py"))
    registry = at.dataframe[0].value
    tiers = {shown.split("（")[0] for shown in registry["探访分级"]}
    assert tiers == {"高风险", "重点", "一般"}
    assert any("（80 岁及以上 且 独居/空巢/留守）" in shown for shown in registry["探访分级"])
    assert any("高龄" in str(age) for age in registry["年龄"])
    open_tab(at, "elders_tab", "探访规则")
    at.button(key="elders_tiers_own_1").click().run()
    assert "已复制街道的分级，现在可以修改本社区的分级" in [m.value for m in at.success]
    with Session(demo_engine) as s:
        general = s.exec(
            select(VisitTier).where(VisitTier.community_id == 1, VisitTier.name == "一般")
        ).one()
    at.number_input(key=f"elders_tier_days_1_{general.id}").set_value(60)
    at.button(key=f"FormSubmitter:elders_tier_1_{general.id}-保存").click().run()
    assert not at.error
    assert "已保存分级：一般" in [m.value for m in at.success]
    with Session(demo_engine) as s:
        assert s.get(VisitTier, general.id).interval_days == 60
        street = s.exec(
            select(VisitTier).where(col(VisitTier.community_id).is_(None), VisitTier.name == "一般")
        ).one()
        assert street.interval_days == 90  # the street's tier is untouched


def test_volunteer_records_a_visit_for_an_assigned_elder(demo_engine):
    at = app_test(demo_engine, "zhiyuan", "views/visit_record.py")
    with Session(demo_engine) as s:
        zhiyuan_elders = set(
            s.exec(select(ElderVisitor.elder_id).where(ElderVisitor.account_id == 4))
        )
    options = at.selectbox(key="visit_elder").options
    assert 0 < len(options) == len(zhiyuan_elders)
    elder_id = at.selectbox(key="visit_elder").value
    assert elder_id in zhiyuan_elders
    before = Session(demo_engine).exec(select(func.count()).select_from(Visit)).one()
    at.text_area(key=f"visit_needs_note_{elder_id}").input("想请人帮忙换灯泡")
    at.button(key=f"FormSubmitter:visit_form_{elder_id}-保存探访记录").click().run()
    assert not at.error
    with Session(demo_engine) as s:
        assert s.exec(select(func.count()).select_from(Visit)).one() == before + 1
        latest = s.exec(select(Visit).order_by(Visit.id.desc())).first()
        assert (latest.elder_id, latest.needs_raised, latest.visitor_name) == (
            elder_id,
            "想请人帮忙换灯泡",
            "张志愿",
        )


# --- issue 10: every action on its own elder, outcomes beside it, required fields --------


def _count(engine, model) -> int:
    with Session(engine) as s:
        return s.exec(select(func.count()).select_from(model)).one()


def test_an_empty_registration_is_refused_and_a_second_press_registers_nothing(demo_engine):
    before = _count(demo_engine, Elder)
    at = open_tab(app_test(demo_engine, "shuji", "views/elders.py"), "elders_tab", "登记老人")
    submit = "FormSubmitter:elders_new-创建"
    at.button(key=submit).click().run()
    assert "请填写姓名、出生日期和住址" in [e.value for e in at.error]
    assert _count(demo_engine, Elder) == before
    at.text_input(key="elders_name").input("巴特尔")
    at.text_input(key="elders_address").input("学府康都2号楼")
    at.date_input(key="elders_birth").set_value(date(1944, 6, 1))
    at.button(key=submit).click().run()
    assert "已登记老人 巴特尔" in [m.value for m in at.success]
    assert at.text_input(key="elders_name").value == ""  # the form is emptied
    at.button(key=submit).click().run()  # pressed again
    assert _count(demo_engine, Elder) == before + 1
    # the same person typed in again is refused by the service, not registered twice
    at.text_input(key="elders_name").input("巴特尔")
    at.text_input(key="elders_address").input("学府康都2号楼")
    at.date_input(key="elders_birth").set_value(date(1944, 6, 1))
    at.button(key=submit).click().run()
    assert any("没有重复登记" in e.value for e in at.error)
    assert _count(demo_engine, Elder) == before + 1


def test_the_edit_form_holds_the_elder_picked_and_saves_only_them(demo_engine):
    at = _registry(app_test(demo_engine, "shuji", "views/elders.py"))
    first = at.selectbox(key="elders_pick").value
    with Session(demo_engine) as s:
        other = s.exec(
            select(Elder).where(Elder.community_id == 1, Elder.active, Elder.id != first)
        ).first()
        first_row = s.get(Elder, first)
    at.selectbox(key="elders_pick").set_value(other.id).run()
    assert at.text_input(key=f"elders_edit_name_{other.id}").value == other.name
    at.text_input(key=f"elders_edit_address_{other.id}").input("学府康都9号楼")
    at.button(key=f"FormSubmitter:elders_edit_{other.id}-保存").click().run()
    assert not at.error
    assert "已保存" in [m.value for m in at.success]
    assert at.selectbox(key="elders_pick").value == other.id
    with Session(demo_engine) as s:
        assert (s.get(Elder, other.id).name, s.get(Elder, other.id).address) == (
            other.name,
            "学府康都9号楼",
        )
        assert s.get(Elder, first).address == first_row.address
    # a required field emptied is refused next to the form, nothing written
    at.text_input(key=f"elders_edit_name_{other.id}").input(" ")
    at.button(key=f"FormSubmitter:elders_edit_{other.id}-保存").click().run()
    assert "请填写姓名、出生日期和住址" in [e.value for e in at.error]
    with Session(demo_engine) as s:
        assert s.get(Elder, other.id).name == other.name


def test_deactivating_an_elder_asks_first_and_takes_them_off_the_overdue_list(demo_engine):
    at = app_test(demo_engine, "shuji", "views/elders.py")
    overdue = _overdue(at)
    most_overdue = at.dataframe[0].value["姓名"].iloc[0]
    _registry(at)
    with Session(demo_engine) as s:
        elder = s.exec(select(Elder).where(Elder.name == most_overdue, Elder.active)).first()
    at.selectbox(key="elders_pick").set_value(elder.id).run()
    at.button(key=f"elders_deactivate_{elder.id}").click().run()
    assert any("逾期名单" in w.value for w in at.warning)
    with Session(demo_engine) as s:
        assert s.get(Elder, elder.id).active  # nothing before the answer
    at.selectbox(key=f"elders_deactivate_why_{elder.id}").set_value("moved")
    at.button(key=f"elders_deactivate_yes_{elder.id}").click().run()
    assert not at.error
    assert any(f"已注销 {elder.name} 的档案" in m.value for m in at.success)
    with Session(demo_engine) as s:
        row = s.get(Elder, elder.id)
        assert (row.active, row.deactivated_reason) == (False, "搬离本社区")
    assert at.session_state["elders_tab"] == "老人名册"  # the write keeps the registry open
    assert _overdue(open_tab(at, "elders_tab", "逾期未探访")) == overdue - 1


def test_the_street_and_a_community_have_their_own_tier_forms(demo_engine):
    at = open_tab(app_test(demo_engine, "admin", "views/elders.py"), "elders_tab", "探访规则")
    with Session(demo_engine) as s:
        focus = s.exec(select(VisitTier).where(VisitTier.name == "重点")).one()
    at.number_input(key=f"elders_tier_days_street_{focus.id}").set_value(21)
    at.button(key=f"FormSubmitter:elders_tier_street_{focus.id}-保存").click().run()
    assert "已保存分级：重点" in [m.value for m in at.success]
    # a community on the street's tiers: read only, with the button to keep its own
    at.selectbox(key="elders_policy_for").set_value(1).run()
    assert at.button(key="elders_tiers_own_1")
    assert not [n for n in at.number_input if n.key.startswith("elders_tier_days_1_")]
    with Session(demo_engine) as s:
        rows = s.exec(
            select(VisitTier.community_id, VisitTier.interval_days).where(VisitTier.name == "重点")
        ).all()
    assert rows == [(None, 21)]


def test_a_task_without_a_need_is_refused_and_a_saved_visit_shows_in_the_card(demo_engine):
    at = app_test(demo_engine, "wangge", "views/visit_record.py")
    elder_id = at.selectbox(key="visit_elder").value
    before = _count(demo_engine, Visit)
    submit = f"FormSubmitter:visit_form_{elder_id}-保存探访记录"
    at.toggle(key=f"visit_make_task_{elder_id}").set_value(True)
    at.button(key=submit).click().run()
    assert "请先填写老人提出的需求，再生成跟进任务" in [e.value for e in at.error]
    assert _count(demo_engine, Visit) == before
    at.text_area(key=f"visit_needs_note_{elder_id}").input("需要助餐")
    at.button(key=submit).click().run()
    assert not at.error
    with Session(demo_engine) as s:
        name = s.get(Elder, elder_id).name
    assert f"已记录对 {name} 的探访" in [m.value for m in at.success]
    assert at.selectbox(key="visit_elder").value == elder_id  # the same elder, relabelled
    assert _count(demo_engine, Visit) == before + 1
    # the form gave way to 再记录一次: nothing to press twice
    assert not [b for b in at.button if b.key == submit]
    at.button(key=f"visit_again_{elder_id}").click().run()
    assert at.text_area(key=f"visit_needs_note_{elder_id}").value == ""


def test_a_second_press_that_beats_the_emptied_form_says_the_visit_stands_once(demo_engine):
    """Seen in the browser: on a double tap the second press reached the server with the
    form's values before the form was emptied; the service refused it as the same visit,
    but the form stayed filled with a red error, as if nothing had been saved."""
    at = app_test(demo_engine, "wangge", "views/visit_record.py")
    elder_id = at.selectbox(key="visit_elder").value
    before = _count(demo_engine, Visit)
    submit = f"FormSubmitter:visit_form_{elder_id}-保存探访记录"
    at.text_area(key=f"visit_needs_note_{elder_id}").input("需要助餐")
    at.button(key=submit).click().run()
    assert _count(demo_engine, Visit) == before + 1
    # the second press, as it arrives in that race: the same values, the form still there
    del at.session_state[f"visit_done_{elder_id}"]
    at.run()
    at.text_area(key=f"visit_needs_note_{elder_id}").input("需要助餐")
    at.button(key=submit).click().run()
    with Session(demo_engine) as s:
        name = s.get(Elder, elder_id).name
    assert _count(demo_engine, Visit) == before + 1
    assert f"这次对 {name} 的探访已经记录过了（同一天、同一方式、内容相同），没有重复保存" in [
        m.value for m in at.success
    ]
    assert not at.error
    assert not [b for b in at.button if b.key == submit]  # 再记录一次, as after the first
    assert at.button(key=f"visit_again_{elder_id}")


# --- issue 19: what a visit records, referrals --------------------------------------------


def test_the_form_offers_the_five_areas_and_a_referral_to_staff_and_grid_workers(demo_engine):
    for username in ("shuji", "wangge", "zhiyuan"):
        at = app_test(demo_engine, username, "views/visit_record.py")
        assert not at.exception
        elder_id = at.selectbox(key="visit_elder").value
        labels = [at.button_group(key=f"visit_{a}_items_{elder_id}").label for a in AREAS]
        assert labels == ["健康", "经济", "赡养", "安全", "需求"]
        # nothing ticked until something is found
        assert [at.button_group(key=f"visit_{a}_items_{elder_id}").value for a in AREAS] == [[]] * 5
        refer = [s for s in at.selectbox if s.key == f"visit_refer_service_{elder_id}"]
        assert len(refer) == (0 if username == "zhiyuan" else 1), username  # a volunteer: no


def test_a_grid_worker_records_the_areas_and_refers_a_need(demo_engine):
    at = app_test(demo_engine, "wangge", "views/visit_record.py")
    elder_id = at.selectbox(key="visit_elder").value
    at.button_group(key=f"visit_health_items_{elder_id}").set_value(["doctor"])
    at.button_group(key=f"visit_family_items_{elder_id}").set_value(["calls"])
    at.button_group(key=f"visit_safety_items_{elder_id}").set_value(["heating", "gas"])
    at.text_input(key=f"visit_safety_note_{elder_id}").input("暖气片不热")
    at.button_group(key=f"visit_needs_items_{elder_id}").set_value(["adaptation"])
    at.text_area(key=f"visit_needs_note_{elder_id}").input("卫生间需要扶手")
    at.selectbox(key=f"visit_refer_service_{elder_id}").set_value("物业")
    at.button(key=f"FormSubmitter:visit_form_{elder_id}-保存探访记录").click().run()
    assert not at.error
    with Session(demo_engine) as s:
        visit = s.exec(select(Visit).order_by(Visit.id.desc())).first()
        assert (visit.elder_id, visit.health, visit.family, visit.hazards) == (
            elder_id,
            "doctor",
            "calls",
            "gas,heating",
        )
        assert (visit.safety_note, visit.needs, visit.needs_raised) == (
            "暖气片不热",
            "adaptation",
            "卫生间需要扶手",
        )
        referral = s.exec(select(Referral).where(Referral.visit_id == visit.id)).one()
        assert (referral.service, referral.need, referral.state) == (
            "物业",
            "卫生间需要扶手",
            "open",
        )
        assert (referral.due_on - referral.created_on).days == 7


def test_a_referral_to_a_service_typed_in_without_a_name_is_refused(demo_engine):
    at = app_test(demo_engine, "shuji", "views/visit_record.py")
    elder_id = at.selectbox(key="visit_elder").value
    before = _count(demo_engine, Visit)
    at.text_area(key=f"visit_needs_note_{elder_id}").input("需要助餐")
    at.selectbox(key=f"visit_refer_service_{elder_id}").set_value("other")
    at.button(key=f"FormSubmitter:visit_form_{elder_id}-保存探访记录").click().run()
    assert "请选择或填写转介给哪个服务方" in [e.value for e in at.error]
    assert _count(demo_engine, Visit) == before
    at.text_input(key=f"visit_refer_other_{elder_id}").input("老年食堂")
    at.button(key=f"FormSubmitter:visit_form_{elder_id}-保存探访记录").click().run()
    assert not at.error
    with Session(demo_engine) as s:
        assert s.exec(select(Referral.service).order_by(Referral.id.desc())).first() == "老年食堂"


def _referral(
    engine, username: str, due: date, grid_of: str | None = None, elder_id: int | None = None
) -> int:
    """A referral made by `username` for an active elder (`elder_id`, or the first in the
    grid `grid_of` works, or the first of the community); returns the visit's id."""
    with Session(engine) as s:
        account = s.exec(select(Account).where(Account.username == username)).one()
        stmt = select(Elder.id).where(Elder.community_id == account.community_id, Elder.active)
        if grid_of is not None:
            worker = s.exec(select(Account.id).where(Account.username == grid_of)).one()
            stmt = stmt.where(
                Elder.grid_id.in_(select(Grid.id).where(Grid.worker_account_id == worker))
            )
        elder_id = elder_id or s.exec(stmt.order_by(Elder.id)).first()
        actor = actor_of(account)
    with transaction() as session:
        visit_id = visits.visit_record(
            session=session,
            actor=actor,
            elder_id=elder_id,
            visited_on=today() - timedelta(days=10),
            mode="电话",
            today=today() - timedelta(days=10),
            content=VisitContent(needs=Checklist(("care",), f"需要照料 {due}")),
            referral=ReferralDraft("民政助理", due),
        )
    actions.clear_reads()  # as a write from a page does
    return visit_id


def _referral_count(at) -> str:
    """The count at the top of the referrals tab, opened (its label holds no count)."""
    open_tab(at, "elders_tab", "转介")
    return next(h.value for h in at.subheader if h.value.startswith("未办结的转介"))


def test_staff_see_open_referrals_with_the_overdue_flagged_and_close_one(demo_engine):
    with Session(demo_engine) as s:  # the demo's own: open, and overdue among them
        demo_open = s.exec(select(func.count()).where(Referral.state == "open")).one()
        demo_late = s.exec(
            select(func.count()).where(Referral.state == "open", Referral.due_on < today())
        ).one()
        shuji = s.exec(select(Account).where(Account.username == "shuji")).one()
        in_community = s.exec(
            select(func.count())
            .select_from(Referral)
            .join(Elder, Elder.id == Referral.elder_id)
            .where(Referral.state == "open", Elder.community_id == shuji.community_id)
        ).one()
    assert demo_open > in_community  # other communities' referrals are not shown
    late_visit = _referral(demo_engine, "shuji", today() - timedelta(days=3))
    _referral(demo_engine, "shuji", today() + timedelta(days=2))
    with Session(demo_engine) as s:
        late = s.exec(select(Referral).where(Referral.visit_id == late_visit)).one()
        late_here = s.exec(
            select(func.count())
            .select_from(Referral)
            .join(Elder, Elder.id == Referral.elder_id)
            .where(
                Referral.state == "open",
                Referral.due_on < today(),
                Elder.community_id == shuji.community_id,
            )
        ).one()
    assert late_here <= demo_late + 1
    at = app_test(demo_engine, "shuji", "views/elders.py")
    assert _referral_count(at) == f"未办结的转介 {in_community + 2} 件 · 逾期 {late_here}"
    (tab,) = [tab for tab in at.tabs if tab.label == "转介"]
    assert any("逾期 3 天" in m.value for m in tab.markdown)
    at.text_input(key=f"referrals_note_{late.id}").input("已申请护理补贴")
    at.button(key=f"FormSubmitter:referrals_close_form_{late.id}-保存").click().run()
    assert not at.error
    assert "已关闭" in at.success[0].value
    with Session(demo_engine) as s:
        closed = s.get(Referral, late.id)
        assert (closed.state, closed.closure_note, closed.closed_by_name) == (
            "done",
            "已申请护理补贴",
            "王书记",
        )
    assert at.session_state["elders_tab"] == "转介"  # the count changed, the tab stays open
    assert _referral_count(at) == f"未办结的转介 {in_community + 1} 件 · 逾期 {late_here - 1}"


def test_a_grid_worker_sees_the_referrals_of_their_grid_and_a_volunteer_none(demo_engine):
    with Session(demo_engine) as s:
        others = s.exec(
            select(Elder.id).where(
                Elder.community_id == 1,
                Elder.active,
                Elder.grid_id.not_in(
                    select(Grid.id).where(
                        Grid.worker_account_id
                        == select(Account.id).where(Account.username == "wangge").scalar_subquery()
                    )
                ),
            )
        ).all()
    assert others  # the demo has elders of other grids, so the cut is checked
    before = _referral_count(app_test(demo_engine, "wangge", "views/elders.py"))
    _referral(demo_engine, "shuji", today() + timedelta(days=1), grid_of="wangge")
    _referral(demo_engine, "shuji", today() + timedelta(days=1), elder_id=others[0])
    at = app_test(demo_engine, "wangge", "views/elders.py")
    n = int(before.split()[1])
    assert _referral_count(at).startswith(f"未办结的转介 {n + 1} 件")
    at = app_test(demo_engine, "zhiyuan", "views/elders.py")
    assert not at.exception
    assert not [tab.label for tab in at.tabs if tab.label.startswith("转介")]


def test_the_history_shows_what_a_visit_found_and_referred(demo_engine):
    _referral(demo_engine, "shuji", today() + timedelta(days=5))
    with Session(demo_engine) as s:
        elder_id = s.exec(select(Referral.elder_id)).first()
    at = _registry(app_test(demo_engine, "shuji", "views/elders.py"))
    at.selectbox(key="elders_pick").set_value(elder_id).run()
    shown = [m.value for m in at.markdown]
    assert any(v.startswith("**需求** 生活照料 · 需要照料") for v in shown)
    assert any(v.startswith("转介 民政助理 · 期限") and v.endswith("办理中") for v in shown)


def test_a_secretary_voids_a_visit_with_a_reason_and_it_stays_marked(demo_engine):
    at = _registry(app_test(demo_engine, "shuji", "views/elders.py"))
    elder_id = at.selectbox(key="elders_pick").value
    with Session(demo_engine) as s:
        latest = s.exec(
            select(Visit)
            .where(Visit.elder_id == elder_id)
            .order_by(Visit.visited_on.desc(), Visit.id.desc())
        ).first()
    at.button(key=f"elders_void_{latest.id}").click().run()
    at.button(key=f"elders_void_yes_{latest.id}").click().run()  # no reason: refused here
    assert "请填写原因" in [e.value for e in at.error]
    with Session(demo_engine) as s:
        assert not s.get(Visit, latest.id).voided
    at.text_input(key=f"elders_void_reason_{latest.id}").input("这次没有去")
    at.button(key=f"elders_void_yes_{latest.id}").click().run()
    assert not at.exception
    with Session(demo_engine) as s:
        row = s.get(Visit, latest.id)
        assert (row.voided, row.fix_reason) == (True, "这次没有去")
    assert any("已作废：这次没有去" in c.value for c in at.caption)


def test_a_grid_worker_records_a_major_change_and_the_elder_falls_due(demo_engine):
    at = _registry(app_test(demo_engine, "wangge", "views/elders.py"))
    assert not [b for b in at.button if b.key and b.key.startswith("elders_void_")]  # staff only
    assert "专项探访" not in [tab.label for tab in at.tabs]
    elder_id = at.selectbox(key="elders_pick").value
    at.selectbox(key=f"elders_change_kind_{elder_id}").set_value("fall")
    at.button(key=f"FormSubmitter:elders_change_{elder_id}-保存").click().run()
    assert not at.error
    with Session(demo_engine) as s:
        change = s.exec(select(ElderChange).where(ElderChange.elder_id == elder_id)).one()
    assert (change.kind, change.occurred_on) == ("fall", today())
    assert any("24 小时内" in w.value for w in at.warning)


def test_a_secretary_starts_a_campaign_and_sees_its_progress(demo_engine):
    at = open_tab(app_test(demo_engine, "shuji", "views/elders.py"), "elders_tab", "专项探访")
    at.text_input(key="elders_campaign_name").input("高温探访")
    at.selectbox(key="elders_campaign_group").set_value(("tier", "高风险"))
    at.number_input(key="elders_campaign_days").set_value(3)
    at.button(key="FormSubmitter:elders_campaign-发起").click().run()
    assert not at.error
    assert "已发起专项探访：高温探访" in [m.value for m in at.success]
    with Session(demo_engine) as s:
        campaign = s.exec(select(VisitCampaign).where(VisitCampaign.name == "高温探访")).one()
        asked = len(
            s.exec(
                select(VisitCampaignElder).where(VisitCampaignElder.campaign_id == campaign.id)
            ).all()
        )
    assert asked > 0
    # the demo's visits of today may already count for it
    assert any(
        re.search(rf"已探访 \d+ / 应探访 {asked}\b", p.proto.text) for p in at.get("progress")
    )


def test_only_the_open_tab_is_drawn_and_it_stays_open_after_a_write(demo_engine):
    """Lazy tabs: the registry's widgets are not in the page until its tab is opened, and
    a write that changes a count (the overdue list's) leaves the person on their tab."""
    at = app_test(demo_engine, "shuji", "views/elders.py")
    assert at.session_state["elders_tab"] == "逾期未探访"
    keys = {w.key for w in at.text_input} | {w.key for w in at.selectbox}
    assert not {"elders_search", "elders_pick", "elders_name"} & keys
    assert len(at.dataframe) == 1  # the overdue list only, not the week's nor the registry
    overdue = _overdue(at)
    most_overdue = at.dataframe[0].value["姓名"].iloc[0]
    _registry(at)
    assert at.text_input(key="elders_search") and at.selectbox(key="elders_pick")
    assert not [h for h in at.header if h.value.startswith("逾期未探访 ")]
    with Session(demo_engine) as s:
        elder = s.exec(select(Elder).where(Elder.name == most_overdue, Elder.active)).first()
    at.selectbox(key="elders_pick").set_value(elder.id).run()
    labels = [tab.label for tab in at.tabs]
    at.button(key=f"elders_deactivate_{elder.id}").click().run()
    at.selectbox(key=f"elders_deactivate_why_{elder.id}").set_value("moved")
    at.button(key=f"elders_deactivate_yes_{elder.id}").click().run()
    assert not at.error
    assert [tab.label for tab in at.tabs] == labels  # no label moved with the count
    assert at.session_state["elders_tab"] == "老人名册"
    assert at.selectbox(key="elders_pick")
    assert _overdue(open_tab(at, "elders_tab", "逾期未探访")) == overdue - 1
