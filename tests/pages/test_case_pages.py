"""The cases page per role: a grid worker reports from the intake form; the secretary
opens the case, accepts and dispatches it, records a call-back; the assignee sees only
what is theirs; the display has no cases page; the admin edits the settings. Each
asserts on the rows written and what the page then shows."""

from datetime import date

import pytest
from sqlmodel import Session, func, select
from streamlit.testing.v1 import AppTest

from models.accounts import Account
from models.cases import Case, CaseDepartment, CaseLimit, CaseStep
from models.org import Grid
from services import cases
from services.access import Actor
from services.cases import CaseDraft
from tests.conftest import ROOT, app_test, sign_in_token

pytestmark = pytest.mark.usefixtures("fresh_read_cache")
PAGE = "views/cases.py"


def actor(engine, username: str) -> Actor:
    from services import auth

    with Session(engine) as s:
        return auth.actor_of(s.exec(select(Account).where(Account.username == username)).one())


def new_case(engine, status: str = "reported", category: str = "facilities") -> int:
    """A case of wangge's first grid, taken to `status` through the service."""
    wangge, shuji = actor(engine, "wangge"), actor(engine, "shuji")
    with Session(engine) as s:
        grid = s.exec(select(Grid.id).where(Grid.worker_account_id == wangge.id)).first()
        case_id = cases.case_report(
            session=s,
            actor=wangge,
            draft=CaseDraft(
                category=category,
                description="5号楼前路灯不亮",
                grid_id=grid,
                resident_name="张大爷",
                resident_phone="13800001111",
            ),
        )
        steps = {
            "accepted": [("accept", shuji, {})],
            "dispatched": [("accept", shuji, {}), ("dispatch", shuji, {"account_id": wangge.id})],
            "closed": [
                ("accept", shuji, {}),
                ("dispatch", shuji, {"account_id": wangge.id}),
                ("feedback", wangge, {"result": "已更换灯泡"}),
                ("close", shuji, {"resolved": True}),
            ],
        }.get(status, [])
        for action, who, kw in steps:
            getattr(cases, f"case_{action}")(session=s, actor=who, case_id=case_id, **kw)
        s.commit()
    return case_id


def case_row(engine, case_id: int) -> Case:
    with Session(engine) as s:
        return s.get(Case, case_id)


def opened(engine, username: str, case_id: int):
    """The cases page of `username` with the case open on the 工单 tab."""
    at = app_test(engine, username, PAGE)
    at.session_state["cases_tab"] = "工单"
    at.session_state["cases_open"] = case_id
    return at.run()


def test_a_grid_worker_reports_a_case_from_the_intake(demo_engine):
    at = app_test(demo_engine, "wangge", PAGE)
    assert [t.label for t in at.tabs] == ["登记", "工单", "满意清单"]
    grids = at.selectbox(key="cases_in_grid").options
    assert grids and all("网格" in g for g in grids)
    at.selectbox(key="cases_in_category").set_value("sanitation")
    at.text_area(key="cases_in_description").input("垃圾桶满溢两天没人清运")
    at.text_input(key="cases_in_place").input("7号楼东侧")
    at.text_input(key="cases_in_phone").input("13912345678")
    at.button(key="FormSubmitter:cases_intake-上报").click().run()
    assert not at.exception and not at.error
    with Session(demo_engine) as s:
        row = s.exec(select(Case).order_by(Case.id.desc())).first()
    assert (row.category, row.description, row.place, row.status) == (
        "sanitation",
        "垃圾桶满溢两天没人清运",
        "7号楼东侧",
        "reported",
    )
    assert row.reported_by == actor(demo_engine, "wangge").id
    assert [m.value for m in at.success] == [f"已上报，工单编号 {row.number}"]
    assert at.text_area(key="cases_in_description").value == ""


def test_the_office_opens_on_the_cases_a_grid_worker_on_intake(demo_engine):
    """The secretary comes to follow cases up; the grid worker on a round, to report."""
    assert [t.label for t in app_test(demo_engine, "shuji", PAGE).tabs] == [
        "工单",
        "登记",
        "满意清单",
    ]
    assert app_test(demo_engine, "wangge", PAGE).tabs[0].label == "登记"
    assert [t.label for t in app_test(demo_engine, "zhiyuan", PAGE).tabs] == ["工单", "满意清单"]


def test_bad_intake_is_refused_and_nothing_written(demo_engine):
    at = app_test(demo_engine, "wangge", PAGE)
    with Session(demo_engine) as s:
        before = s.exec(select(func.count()).select_from(Case)).one()
    at.text_area(key="cases_in_description").input("路面塌陷")
    at.text_input(key="cases_in_phone").input("12345")
    at.button(key="FormSubmitter:cases_intake-上报").click().run()
    assert [e.value for e in at.error] == ["请填写 11 位手机号，例如 13812345678"]
    with Session(demo_engine) as s:
        assert s.exec(select(func.count()).select_from(Case)).one() == before


def test_the_secretary_accepts_and_dispatches_with_keys_of_the_case(demo_engine):
    case_id = new_case(demo_engine)
    at = opened(demo_engine, "shuji", case_id)
    assert not at.exception
    assert "138****" not in " ".join(m.value for m in at.markdown)  # the office sees the phone
    assert any("13800001111" in m.value for m in at.markdown)
    at.button(key=f"case_accept_{case_id}").click().run()
    assert case_row(demo_engine, case_id).status == "accepted"
    assert [m.value for m in at.success] == ["已受理"]
    # only what an accepted case allows is offered
    keys = {b.key for b in at.button}
    assert f"case_accept_{case_id}" not in keys and f"case_escalate_{case_id}" in keys
    wangge = actor(demo_engine, "wangge")
    at.selectbox(key=f"case_dispatch_to_{case_id}").set_value(f"account:{wangge.id}")
    at.button(key=f"FormSubmitter:case_dispatch_form_{case_id}-派遣").click().run()
    row = case_row(demo_engine, case_id)
    assert (row.status, row.assignee_account_id) == ("dispatched", wangge.id)
    assert row.due_on is not None
    assert "已派遣" in " ".join(m.value for m in at.success)
    assert any(f"期限 {row.due_on:%Y-%m-%d}" in m.value for m in at.markdown)


def test_a_grid_worker_sees_the_phone_masked_and_feeds_back(demo_engine):
    case_id = new_case(demo_engine, "dispatched")
    at = opened(demo_engine, "wangge", case_id)
    text = " ".join(m.value for m in at.markdown)
    assert "138\\*\\*\\*\\*1111" in text  # masked (its stars escaped, shown as typed)
    assert "13800001111" not in text
    keys = {b.key for b in at.button}
    assert f"case_start_{case_id}" in keys and f"case_escalate_{case_id}" not in keys
    at.text_area(key=f"case_feedback_text_{case_id}").input("已更换灯泡")
    at.button(key=f"FormSubmitter:case_feedback_form_{case_id}-反馈结果").click().run()
    row = case_row(demo_engine, case_id)
    assert (row.status, row.result) == ("handled", "已更换灯泡")


def test_a_call_back_without_a_level_is_refused_then_recorded(demo_engine):
    case_id = new_case(demo_engine, "closed")
    at = opened(demo_engine, "shuji", case_id)
    submit = f"FormSubmitter:case_call_back_form_{case_id}-回访评价"
    at.button(key=submit).click().run()
    assert [e.value for e in at.error] == ["请选择五级评价之一"]
    assert case_row(demo_engine, case_id).status == "closed"
    at.button_group(key=f"case_call_back_level_{case_id}").set_value(4)
    at.button(key=submit).click().run()
    row = case_row(demo_engine, case_id)
    assert (row.status, row.satisfaction) == ("satisfied", 4)
    at.session_state["cases_open"] = None
    at.session_state["cases_tab"] = "满意清单"
    at.run()
    frame = at.dataframe[0].value
    assert row.number in list(frame["编号"])
    assert set(frame.columns) == {"编号", "类别", "网格", "办结月份", "办理结果"}


def test_a_volunteer_sees_only_what_is_given_to_them(demo_engine):
    at = app_test(demo_engine, "zhiyuan", PAGE)
    assert [t.label for t in at.tabs] == ["工单", "满意清单"]
    assert not at.exception
    case_id = new_case(demo_engine, "accepted")
    with Session(demo_engine) as s:
        cases.case_dispatch(
            session=s,
            actor=actor(demo_engine, "shuji"),
            case_id=case_id,
            account_id=actor(demo_engine, "zhiyuan").id,
        )
        s.commit()
    at = app_test(demo_engine, "zhiyuan", PAGE)
    assert f"case_open_{case_id}" in {b.key for b in at.button}
    with Session(demo_engine) as s:
        mine = s.exec(
            select(func.count())
            .select_from(Case)
            .where(Case.assignee_account_id == actor(demo_engine, "zhiyuan").id)
        ).one()
    assert len([b for b in at.button if b.key.startswith("case_open_")]) == min(mine, 20)


def test_the_display_has_no_cases_page(demo_engine):
    at = app_test(demo_engine, "huiyi")
    with pytest.raises(ValueError):
        at.switch_page(PAGE)
    with pytest.raises(ValueError):
        at.switch_page("views/case_settings.py")


def test_the_admin_edits_limits_departments_and_calendar_days(demo_engine):
    at = app_test(demo_engine, "admin", "views/case_settings.py")
    assert not at.exception
    at.number_input(key="case_limit_days_facilities").set_value(2)
    at.button(key="FormSubmitter:case_limits-保存").click().run()
    with Session(demo_engine) as s:
        row = s.exec(select(CaseLimit).where(CaseLimit.category == "facilities")).one()
        assert (row.days, row.working_days) == (2, True)
    at.text_input(key="dept_new_name").input("城管执法队")
    at.text_input(key="dept_new_phone").input("13912345678")
    at.button(key="FormSubmitter:dept_new-创建").click().run()
    with Session(demo_engine) as s:
        assert s.exec(select(CaseDepartment).where(CaseDepartment.name == "城管执法队")).one()
    at.date_input(key="calday_new_day").set_value(date(2026, 12, 31))
    at.text_input(key="calday_new_note").input("区里放假")
    at.button(key="FormSubmitter:calday_new-添加").click().run()
    assert any("区里放假" in m.value for m in at.markdown)
    at.button(key="calday_remove_2026-12-31").click().run()
    assert not any("区里放假" in m.value for m in at.markdown)


def test_the_secretary_has_no_settings_page(demo_engine):
    at = app_test(demo_engine, "shuji")
    with pytest.raises(ValueError):
        at.switch_page("views/case_settings.py")


def test_every_step_is_on_the_timeline(demo_engine):
    case_id = new_case(demo_engine, "closed")
    at = opened(demo_engine, "shuji", case_id)
    with Session(demo_engine) as s:
        n = s.exec(
            select(func.count()).select_from(CaseStep).where(CaseStep.case_id == case_id)
        ).one()
    timeline = [m.value for m in at.markdown if m.value.startswith("**")]
    assert len(timeline) >= n and timeline[0].startswith("**核查结案**")


def test_a_need_found_on_a_visit_becomes_a_case_in_the_same_save(demo_engine):
    at = app_test(demo_engine, "wangge", "views/visit_record.py")
    elder_id = at.selectbox(key="visit_elder").value
    at.text_area(key=f"visit_needs_note_{elder_id}").input("卫生间需要扶手")
    at.checkbox(key=f"visit_case_make_{elder_id}").check()
    at.selectbox(key=f"visit_case_category_{elder_id}").set_value("help")
    (save,) = [
        b for b in at.button if b.key and b.key.startswith(f"FormSubmitter:visit_form_{elder_id}")
    ]
    save.click().run()
    assert not at.exception and not at.error
    with Session(demo_engine) as s:
        row = s.exec(select(Case).order_by(Case.id.desc())).first()
    assert (row.elder_id, row.category, row.source, row.description) == (
        elder_id,
        "help",
        "patrol",
        "卫生间需要扶手",
    )
    assert row.visit_id is not None
    # the grid worker is told the case exists, by its number
    assert any(row.number in m.value for m in at.success)


def test_the_secretary_records_a_disputes_mediation(demo_engine):
    from models.cases import Mediation

    case_id = new_case(demo_engine, "accepted", category="neighbour_dispute")
    at = opened(demo_engine, "shuji", case_id)
    at.text_area(key=f"mediation_parties_{case_id}").input("502 王某；402 李某")
    at.text_input(key=f"mediation_mediator_{case_id}").input("赵调解员")
    at.date_input(key=f"mediation_day_{case_id}").set_value(date(2026, 11, 20))
    at.selectbox(key=f"mediation_outcome_{case_id}").set_value("failed")
    (save,) = [b for b in at.button if b.key.startswith(f"FormSubmitter:mediation_form_{case_id}")]
    save.click().run()
    assert [e.value for e in at.error] == ["未达成协议时请写明移交去向"]
    at.text_input(key=f"mediation_referred_{case_id}").input("区法院")
    at.button(key=save.key).click().run()
    assert not at.error, [e.value for e in at.error]
    with Session(demo_engine) as s:
        row = s.exec(select(Mediation).where(Mediation.case_id == case_id)).one()
    assert (row.outcome, row.referred_to, row.mediator_name) == ("failed", "区法院", "赵调解员")
    assert any("移交：区法院" in m.value for m in at.markdown)


def test_the_page_reads_in_english(demo_engine):
    case_id = new_case(demo_engine, "dispatched")
    # set up before the first run: AppTest labels the choices of a rerun outside the
    # session, so in the default language
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.session_state["ui_lang"] = "en"
    at.session_state["auth_token"] = sign_in_token(demo_engine, "shuji")
    at.session_state["cases_tab"] = "Cases"
    at.session_state["cases_open"] = case_id
    at.switch_page(PAGE)
    at.run()
    assert [t.label for t in at.tabs] == ["Cases", "Report", "Satisfied list"]  # the office's
    assert not at.exception
    text = " ".join(m.value for m in at.markdown)
    assert "Dispatched" in text and "cases." not in text


# --- photos -----------------------------------------------------------------------------


def small_jpeg(size=(64, 48), colour="orange") -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="JPEG")
    return out.getvalue()


def test_a_grid_worker_reports_with_a_photo_and_the_secretary_sees_it(demo_engine):
    from models.cases import CasePhoto

    at = app_test(demo_engine, "wangge", PAGE)
    at.text_area(key="cases_in_description").input("楼道灯坏了")
    at.file_uploader(key="cases_in_photos_0").set_value(("lamp.jpg", small_jpeg(), "image/jpeg"))
    at.button(key="FormSubmitter:cases_intake-上报").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    with Session(demo_engine) as s:
        row = s.exec(select(Case).order_by(Case.id.desc())).first()
        photos = s.exec(select(CasePhoto).where(CasePhoto.case_id == row.id)).all()
    assert row.description == "楼道灯坏了"
    assert [(p.stage, p.width, p.height) for p in photos] == [("report", 64, 48)]
    # the next report starts with an empty uploader
    assert "cases_in_photos_1" in {u.key for u in at.file_uploader}
    assert at.file_uploader(key="cases_in_photos_1").value == []

    office = opened(demo_engine, "shuji", row.id)
    assert not office.exception
    assert any("上报时拍摄" in c.value for c in office.caption)
    assert len(office.get("image")) == 1  # the thumbnail
    office.button(key=f"case_photo_open_{photos[0].id}").click().run()
    assert len(office.get("image")) == 2  # and the photo in full
    office.button(key=f"case_photo_close_{photos[0].id}").click().run()
    assert len(office.get("image")) == 1


def test_a_file_that_is_not_a_photo_refuses_the_report(demo_engine):
    at = app_test(demo_engine, "wangge", PAGE)
    with Session(demo_engine) as s:
        before = s.exec(select(func.count()).select_from(Case)).one()
    at.text_area(key="cases_in_description").input("楼道灯坏了")
    at.file_uploader(key="cases_in_photos_0").set_value(
        ("lamp.jpg", b"this is a text file", "image/jpeg")
    )
    at.button(key="FormSubmitter:cases_intake-上报").click().run()
    assert [e.value for e in at.error] == [
        "第 1 个文件不是照片（只收 JPG、PNG、WebP 图片），请换一张"
    ]
    with Session(demo_engine) as s:
        assert s.exec(select(func.count()).select_from(Case)).one() == before
    assert at.text_area(key="cases_in_description").value == "楼道灯坏了"  # kept to retry


def test_the_handler_feeds_back_with_a_photo_of_the_result(demo_engine):
    from models.cases import CasePhoto

    case_id = new_case(demo_engine, "dispatched")
    at = opened(demo_engine, "wangge", case_id)
    at.text_area(key=f"case_feedback_text_{case_id}").input("已更换灯泡")
    at.file_uploader(key=f"case_feedback_photos_{case_id}").set_value(
        [("a.jpg", small_jpeg(), "image/jpeg"), ("b.jpg", small_jpeg(colour="blue"), "image/jpeg")]
    )
    at.button(key=f"FormSubmitter:case_feedback_form_{case_id}-反馈结果").click().run()
    assert not at.error, [e.value for e in at.error]
    with Session(demo_engine) as s:
        stages = s.exec(select(CasePhoto.stage).where(CasePhoto.case_id == case_id)).all()
    assert stages == ["result", "result"]
    assert case_row(demo_engine, case_id).status == "handled"
    assert any("办理结果" in c.value for c in at.caption)
    assert len(at.get("image")) == 2


# --- a case's link ----------------------------------------------------------------------


def linked(engine, username: str, value: str, lang: str = "zh_CN"):
    """The cases page opened from a link /cases?case=<value> (a new session)."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.session_state["ui_lang"] = lang
    at.session_state["auth_token"] = sign_in_token(engine, username)
    at.query_params["case"] = value
    at.switch_page(PAGE)
    return at.run()


def _warnings(at) -> list[str]:
    return [w.value for w in at.warning]


def test_a_link_opens_the_case_for_a_grid_worker_on_the_cases_tab(demo_engine):
    case_id = new_case(demo_engine)
    number = case_row(demo_engine, case_id).number
    at = linked(demo_engine, "wangge", str(case_id))
    assert not at.exception and not _warnings(at)
    assert at.session_state["cases_tab"] == "工单"  # not the grid worker's usual 登记
    assert any(number in h.value for h in at.subheader)
    assert not at.code  # the link text is for the office
    # back to the lists: the link does not open the case again
    at.button(key=f"case_back_{case_id}").click().run()
    assert "case" not in at.query_params
    assert f"case_back_{case_id}" not in {b.key for b in at.button}
    assert any(b.key.startswith("case_open_") for b in at.button)


def test_the_office_sees_the_link_of_the_case(demo_engine):
    case_id = new_case(demo_engine)
    at = linked(demo_engine, "shuji", str(case_id))
    assert [c.value for c in at.code] == [f"http://localhost:8501/cases?case={case_id}"]


@pytest.mark.parametrize(
    ("username", "value", "warning"),
    [
        ("qianjin", "OWN", "这件工单属于其他社区，您无法查看。下面是您的工单列表。"),
        (
            "zhiyuan",
            "OWN",
            "这件工单不在您的网格，也不是您上报或承办的，您无法查看。下面是您的工单列表。",
        ),
        ("shuji", "999999", "找不到这件工单，链接可能有误。下面是工单列表。"),
        ("wangge", "12abc", "找不到这件工单，链接可能有误。下面是工单列表。"),
        ("wangge", "", "找不到这件工单，链接可能有误。下面是工单列表。"),
        ("wangge", "99999999999999999999", "找不到这件工单，链接可能有误。下面是工单列表。"),
        ("wangge", "²", "找不到这件工单，链接可能有误。下面是工单列表。"),
    ],
    ids=[
        "another community",
        "not theirs",
        "missing",
        "not a number",
        "empty",
        "beyond the database",
        "a superscript digit",
    ],
)
def test_a_link_to_a_case_one_may_not_see_says_why_over_the_lists(
    demo_engine, username, value, warning
):
    case_id = new_case(demo_engine)
    row = case_row(demo_engine, case_id)
    at = linked(demo_engine, username, str(case_id) if value == "OWN" else value)
    assert not at.exception
    assert _warnings(at) == [warning]
    assert at.session_state["cases_tab"] == "工单"
    assert f"case_back_{case_id}" not in {b.key for b in at.button}  # no case open
    # the lists (a volunteer with nothing given to them: an empty one)
    listed = any(b.key.startswith("case_open_") for b in at.button)
    assert listed or "没有符合条件的工单" in [i.value for i in at.info]
    if value == "OWN":  # nothing of the case it may not see
        shown = " ".join(m.value for m in [*at.markdown, *at.subheader, *at.text])
        assert row.number not in shown and row.description not in shown


def test_a_link_refused_in_english(demo_engine):
    case_id = new_case(demo_engine)
    at = linked(demo_engine, "qianjin", str(case_id), lang="en")
    assert _warnings(at) == [
        "This case belongs to another community, so you cannot see it. Here are your case lists."
    ]
