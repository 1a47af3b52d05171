"""Elder pages per role: the overdue list, the registry, registration, the policy, and
recording a visit."""

from collections import Counter
from datetime import date

from sqlalchemy import func
from sqlmodel import Session, select

from models.accounts import Account
from models.elders import Elder, ElderVisitor, Visit, VisitPolicy
from services import elders
from tests.conftest import app_test
from ui.filters import today


def test_secretary_sees_the_overdue_list_first(demo_engine):
    at = app_test(demo_engine, "shuji", "views/elders.py")
    assert at.tabs[0].label.startswith("逾期未探访（")
    n = int(at.tabs[0].label.split("（")[1].rstrip("）"))
    assert n > 0
    table = at.dataframe[0].value
    assert len(table) == min(n, elders.LIST_LIMIT)
    assert (table["逾期天数"] > 0).all()
    assert table["逾期天数"].is_monotonic_decreasing
    assert "*" not in "".join(table["电话"])  # staff see full numbers


def test_grid_worker_sees_full_numbers_only_of_assigned_elders(demo_engine):
    at = app_test(demo_engine, "wangge", "views/elders.py")
    assert not at.exception
    assert len(at.tabs) == 4  # no registration or policy tabs
    registry = at.dataframe[2].value
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
    at = app_test(demo_engine, "shuji", "views/elders.py")
    assert f"有 {len(unassigned)} 位老人还没有分配探访人" in at.warning[0].value
    registry = at.dataframe[2].value
    flagged = registry.loc[registry["探访人"].str.startswith("⚠"), "姓名"]
    assert sorted(flagged) == sorted(unassigned)
    at.toggle(key="elders_unassigned_only").set_value(True).run()
    only = at.dataframe[2].value
    assert sorted(only["姓名"]) == sorted(unassigned)
    assert (only["探访人"] == "⚠ 未分配探访人").all()


def test_secretary_registers_an_elder_with_care_level_and_visitors(demo_engine):
    with Session(demo_engine) as s:
        wangge, zhiyuan = (
            s.exec(select(Account.id).where(Account.username == u)).one()
            for u in ("wangge", "zhiyuan")
        )
    at = app_test(demo_engine, "shuji", "views/elders.py")
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
    assert not at.exception
    registry = at.dataframe[2].value
    shown = "".join(registry["Living situation"])
    assert "Lives alone" in shown and "独居" not in shown and "空巢" not in shown
    timeline = " ".join(m.value for m in at.markdown)
    assert "Home visit" in timeline and "上门" not in timeline
    record = app_test(demo_engine, "wangge", "views/visit_record.py", lang="en")
    elder_id = record.selectbox(key="visit_elder").value
    modes = record.button_group(key=f"visit_mode_{elder_id}")
    assert [o.content for o in modes.proto.options] == ["Home visit", "Phone call", "Video call"]
    assert modes.value == "上门"  # the stored value stays the same


def test_secretary_sets_a_community_interval(demo_engine):
    at = app_test(demo_engine, "shuji", "views/elders.py")
    at.number_input(key="elders_rule_1_空巢").set_value(10)
    at.button(key="elders_rule_save_1_空巢").click().run()
    assert [m.value for m in at.success] == ["已保存规则：空巢"]
    with Session(demo_engine) as s:
        rule = s.exec(
            select(VisitPolicy).where(
                VisitPolicy.situation == "空巢", VisitPolicy.community_id == 1
            )
        ).one()
        assert rule.interval_days == 10


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
    at.text_area(key=f"visit_needs_{elder_id}").input("想请人帮忙换灯泡")
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
    at = app_test(demo_engine, "shuji", "views/elders.py")
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
    at = app_test(demo_engine, "shuji", "views/elders.py")
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
    overdue = int(at.tabs[0].label.split("（")[1].rstrip("）"))
    most_overdue = at.dataframe[0].value["姓名"].iloc[0]
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
    assert at.tabs[0].label == f"逾期未探访（{overdue - 1}）"


def test_the_street_and_a_community_have_their_own_policy_boxes(demo_engine):
    at = app_test(demo_engine, "admin", "views/elders.py")
    assert at.number_input(key="elders_rule_street_空巢")
    at.selectbox(key="elders_policy_for").set_value(1).run()
    at.number_input(key="elders_rule_1_空巢").set_value(12)
    at.button(key="elders_rule_save_1_空巢").click().run()
    assert "已保存规则：空巢" in [m.value for m in at.success]
    with Session(demo_engine) as s:
        rows = dict(
            (c, d)
            for c, d in s.exec(
                select(VisitPolicy.community_id, VisitPolicy.interval_days).where(
                    VisitPolicy.situation == "空巢"
                )
            )
        )
    assert rows[1] == 12 and rows.get(None) != 12  # the street rule is untouched


def test_a_task_without_a_need_is_refused_and_a_saved_visit_shows_in_the_card(demo_engine):
    at = app_test(demo_engine, "wangge", "views/visit_record.py")
    elder_id = at.selectbox(key="visit_elder").value
    before = _count(demo_engine, Visit)
    submit = f"FormSubmitter:visit_form_{elder_id}-保存探访记录"
    at.toggle(key=f"visit_make_task_{elder_id}").set_value(True)
    at.button(key=submit).click().run()
    assert "请先填写老人提出的需求，再生成跟进任务" in [e.value for e in at.error]
    assert _count(demo_engine, Visit) == before
    at.text_area(key=f"visit_needs_{elder_id}").input("需要助餐")
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
    assert at.text_area(key=f"visit_needs_{elder_id}").value == ""
