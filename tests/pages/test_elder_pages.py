"""Elder pages per role: the overdue list, the registry, registration, the policy, and
recording a visit."""

from sqlalchemy import func
from sqlmodel import Session, select

from models.elders import Elder, ElderVisitor, Visit, VisitPolicy
from services import elders
from tests.conftest import app_test
from ui.filters import today


def test_secretary_sees_the_overdue_list_first(demo_engine):
    at = app_test(demo_engine, "shuji", "pages/elders.py")
    assert at.tabs[0].label.startswith("逾期未探访（")
    n = int(at.tabs[0].label.split("（")[1].rstrip("）"))
    assert n > 0
    table = at.dataframe[0].value
    assert len(table) == min(n, elders.LIST_LIMIT)
    assert (table["逾期天数"] > 0).all()
    assert table["逾期天数"].is_monotonic_decreasing
    assert "*" not in "".join(table["电话"])  # staff see full numbers


def test_grid_worker_sees_masked_numbers_of_elders_not_assigned(demo_engine):
    at = app_test(demo_engine, "wangge", "pages/elders.py")
    assert not at.exception
    assert len(at.tabs) == 4  # no registration or policy tabs
    registry = at.dataframe[2].value
    with Session(demo_engine) as s:
        wangge = s.exec(
            select(ElderVisitor.elder_id)
            .join(Elder)
            .where(Elder.name.in_(registry["姓名"].tolist()))
        ).all()
    assert any("****" in p for p in registry["电话"]) or len(wangge) == len(registry)


def test_secretary_registers_an_elder(demo_engine):
    at = app_test(demo_engine, "shuji", "pages/elders.py")
    at.text_input(key="elders_name").input("乌云其其格")
    at.text_input(key="elders_address").input("学府康都5号楼1单元302")
    at.multiselect(key="elders_situations").select("独居")
    at.button(key="FormSubmitter:elders_new-创建").click().run()
    assert not at.error
    with Session(demo_engine) as s:
        row = s.exec(select(Elder).where(Elder.name == "乌云其其格")).one()
        assert (row.situations, row.registered_on, row.community_id) == ("独居", today(), 1)


def test_secretary_sets_a_community_interval(demo_engine):
    at = app_test(demo_engine, "shuji", "pages/elders.py")
    at.number_input(key="elders_rule_空巢").set_value(10)
    at.button(key="elders_rule_save_空巢").click().run()
    with Session(demo_engine) as s:
        rule = s.exec(
            select(VisitPolicy).where(
                VisitPolicy.situation == "空巢", VisitPolicy.community_id == 1
            )
        ).one()
        assert rule.interval_days == 10


def test_volunteer_records_a_visit_for_an_assigned_elder(demo_engine):
    at = app_test(demo_engine, "zhiyuan", "pages/visit_record.py")
    with Session(demo_engine) as s:
        zhiyuan_elders = set(
            s.exec(select(ElderVisitor.elder_id).where(ElderVisitor.account_id == 4))
        )
    options = at.selectbox(key="visit_elder").options
    assert 0 < len(options) == len(zhiyuan_elders)
    elder_id = at.selectbox(key="visit_elder").value
    assert elder_id in zhiyuan_elders
    before = Session(demo_engine).exec(select(func.count()).select_from(Visit)).one()
    at.text_area(key="visit_needs").input("想请人帮忙换灯泡")
    at.button(key="FormSubmitter:visit_form-保存探访记录").click().run()
    assert not at.error
    with Session(demo_engine) as s:
        assert s.exec(select(func.count()).select_from(Visit)).one() == before + 1
        latest = s.exec(select(Visit).order_by(Visit.id.desc())).first()
        assert (latest.elder_id, latest.needs_raised, latest.visitor_name) == (
            elder_id,
            "想请人帮忙换灯泡",
            "张志愿",
        )
