"""The first-start steps (views/setup.py), the organisation page per role, and the page
that replaces a handed-out password."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from models.accounts import Account, Role
from models.elders import Elder, VisitTier
from models.org import Community, Grid, Street
from services import org, visit_policy
from services.i18n import translate
from tests.conftest import ROOT, app_test, make_account, make_community, sign_in_token
from tests.pages.conftest import open_tab
from ui.text import plain

pytestmark = pytest.mark.usefixtures("fresh_read_cache")


def _click(at: AppTest, label_key: str, **params) -> AppTest:
    label = translate(label_key, "zh_CN", **params)
    [button] = [b for b in at.button if b.label == label]
    return button.click().run()


def _texts(at: AppTest) -> str:
    kinds = ("title", "subheader", "markdown", "info", "warning", "error", "success", "caption")
    return " ".join(str(e.value) for kind in kinds for e in at.get(kind))


def _signed_in(engine, username: str, password: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.session_state["ui_lang"] = "zh_CN"
    at.session_state["auth_token"] = sign_in_token(engine, username, password)
    return at.run()


def test_a_new_office_walks_from_the_admin_to_its_first_accounts(engine):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.session_state["ui_lang"] = "zh_CN"
    at.run()
    at.text_input(key="setup_username").input("jiedao")
    at.text_input(key="setup_display_name").input("街道管理员")
    at.text_input(key="setup_password").input("admin-pass-1")
    at.text_input(key="setup_confirm").input("admin-pass-1")
    _click(at, "setup.submit")
    assert not at.exception, at.exception
    # step 1: the street
    assert translate("org.setup.street_title") in _texts(at)
    at.text_input(key="setup_street_name").input("新华街道")
    at.text_input(key="setup_district").input("新城区")
    _click(at, "org.setup.save_next")
    # step 2: communities, pasted one per line
    at.text_area(key="setup_community_names").input("东风社区\n光明社区\n")
    _click(at, "org.setup.add_next")
    assert translate("org.setup.grids_title") in _texts(at)
    # step 3: grids, three generated for each; the second community gets its own names
    ids = sorted(c.id for c in org_communities(engine))
    assert at.text_area(key=f"setup_grids_{ids[0]}").value == "第一网格\n第二网格\n第三网格"
    at.number_input(key=f"setup_grid_count_{ids[0]}").set_value(4).run()
    assert at.text_area(key=f"setup_grids_{ids[0]}").value.endswith("第四网格")
    at.text_area(key=f"setup_grids_{ids[1]}").input("一区\n二区\n三区")
    _click(at, "org.setup.create_grids_next")
    assert translate("org.setup.accounts_title") in _texts(at)
    # step 4: a secretary and a grid worker bound to two grids
    sec = f"setup_secretary_{ids[0]}"
    at.text_input(key=f"{sec}_0_username").input("dongfeng")
    at.text_input(key=f"{sec}_0_name").input("东风书记")
    at.text_input(key=f"{sec}_0_password").input("first-pass-1")
    at.button(key=f"{sec}_create").click().run()
    assert translate(
        "org.account_created", username="dongfeng", password=plain("first-pass-1")
    ) in (_texts(at))
    wg = f"setup_grid_worker_{ids[0]}"
    with Session(engine) as s:
        grids = s.exec(select(Grid).where(Grid.community_id == ids[0]).order_by(Grid.id)).all()
    at.text_input(key=f"{wg}_0_username").input("wangge1")
    at.text_input(key=f"{wg}_0_name").input("网格员甲")
    at.multiselect(key=f"{wg}_0_grids").set_value([grids[0].id, grids[1].id])
    at.button(key=f"{wg}_create").click().run()
    assert not at.exception, at.exception
    _click(at, "org.setup.finish")
    assert not at.exception, at.exception
    assert translate("nav.organisation") in [t.value for t in at.title]
    with Session(engine) as s:
        street = s.exec(select(Street)).one()
        assert (street.name, street.setup_step) == ("新华街道", len(org.SETUP_STEPS))
        grids = s.exec(select(Grid).where(Grid.community_id == ids[0]).order_by(Grid.id)).all()
        assert [g.name for g in grids] == ["第一网格", "第二网格", "第三网格", "第四网格"]
        worker = s.exec(select(Account).where(Account.username == "wangge1")).one()
        assert worker.must_change_password
        assert {g.worker_account_id for g in grids[:2]} == {worker.id}
        assert {c.street for c in s.exec(select(Community))} == {"新华街道"}


def org_communities(engine):
    with Session(engine) as s:
        return s.exec(select(Community)).all()


def test_every_step_can_be_skipped_and_the_board_opens(engine):
    with Session(engine) as s:
        make_account(s, "jiedao", Role.admin, None, "admin-pass-1")
    at = _signed_in(engine, "jiedao", "admin-pass-1")
    assert translate("org.setup.title") in [t.value for t in at.title]
    for _ in org.SETUP_STEPS:
        _click(at, "org.setup.skip")
        assert not at.exception
    # done: the admin's usual pages, with the organisation page saying what to do first
    at.switch_page("views/organisation.py").run()
    assert translate("org.empty.first_community") in _texts(at)
    with pytest.raises(ValueError):
        at.switch_page("views/setup.py")


def test_skip_all_leads_to_the_organisation_page(engine):
    with Session(engine) as s:
        make_account(s, "jiedao", Role.admin, None, "admin-pass-1")
    at = _signed_in(engine, "jiedao", "admin-pass-1")
    _click(at, "org.setup.skip_all")
    assert translate("nav.organisation") in [t.value for t in at.title]
    assert not org_communities(engine)


def test_the_admin_adds_communities_and_grids_on_the_organisation_page(demo_engine):
    at = app_test(demo_engine, "admin", "views/organisation.py")
    assert not at.exception
    assert translate("org.add_communities") in [e.label for e in at.expander]
    at.text_area(key="org_community_names").input("新建社区")
    _click(at, "org.add")
    assert translate("org.communities_added", n=1) in _texts(at)
    [new] = [c for c in org_communities(demo_engine) if c.name == "新建社区"]
    at.selectbox(key="org_pick_community").set_value(new.id).run()
    assert translate("org.empty.add_grids") in _texts(at)
    at.number_input(key=f"org_grid_count_{new.id}").set_value(2).run()
    at.button(key=f"org_generate_{new.id}").click().run()
    with Session(demo_engine) as s:
        names = s.exec(select(Grid.name).where(Grid.community_id == new.id)).all()
    assert names == ["第一网格", "第二网格"]


def test_a_secretary_sees_only_their_community_and_moves_a_grids_people(demo_engine):
    at = app_test(demo_engine, "shuji", "views/organisation.py")
    assert not at.exception
    texts = _texts(at)
    assert "四千米社区" in texts and "前进社区" not in texts
    assert translate("org.add_communities") not in [e.label for e in at.expander]
    assert translate("org.community_settings") not in [e.label for e in at.expander]
    with Session(demo_engine) as s:
        shuji = s.exec(select(Account).where(Account.username == "shuji")).one()
        grids = s.exec(
            select(Grid).where(Grid.community_id == shuji.community_id).order_by(Grid.id)
        ).all()
        source = next(
            g for g in grids if s.exec(select(Elder.id).where(Elder.grid_id == g.id)).first()
        )
        target = next(g for g in grids if g.id != source.id)
        moving = len(s.exec(select(Elder.id).where(Elder.grid_id == source.id)).all())
    at.selectbox(key=f"org_pick_grid_{shuji.community_id}").set_value(source.id).run()
    assert translate("org.remove_only_empty") in _texts(at)
    at.selectbox(key=f"org_g_move_to_{source.id}").set_value(target.id).run()
    at.button(key=f"org_g_move_{source.id}").click().run()
    assert not at.exception
    with Session(demo_engine) as s:
        assert not s.exec(select(Elder.id).where(Elder.grid_id == source.id)).first()
        assert len(s.exec(select(Elder.id).where(Elder.grid_id == target.id)).all()) >= moving
        assert s.get(Grid, source.id).active is False  # "deactivate after the move" was on


def test_the_secretary_assigns_a_grid_worker(demo_engine):
    at = app_test(demo_engine, "shuji", "views/organisation.py")
    with Session(demo_engine) as s:
        shuji = s.exec(select(Account).where(Account.username == "shuji")).one()
        worker = s.exec(select(Account).where(Account.username == "wangge")).one()
        grid = s.exec(select(Grid).where(Grid.community_id == shuji.community_id)).first()
    at.selectbox(key=f"org_pick_grid_{shuji.community_id}").set_value(grid.id).run()
    at.selectbox(key=f"org_g_worker_{grid.id}").set_value(0).run()
    at.button(key=f"org_g_assign_{grid.id}").click().run()
    with Session(demo_engine) as s:
        assert s.get(Grid, grid.id).worker_account_id is None
    at.selectbox(key=f"org_g_worker_{grid.id}").set_value(worker.id).run()
    at.button(key=f"org_g_assign_{grid.id}").click().run()
    with Session(demo_engine) as s:
        assert s.get(Grid, grid.id).worker_account_id == worker.id


def test_the_policy_tab_shows_the_documented_default_tiers_and_saves_one(engine):
    with Session(engine) as s:
        make_account(s, "jiedao", Role.admin, None, "admin-pass-1")
        s.add(Street(name="街道", district="区", setup_step=len(org.SETUP_STEPS)))
        visit_policy.ensure_defaults(s)  # as the street's first step does
        s.commit()
    at = _signed_in(engine, "jiedao", "admin-pass-1")
    at.switch_page("views/organisation.py").run()
    open_tab(at, "org_tab", "政策标准")
    with Session(engine) as s:
        tiers = {t.name: t.id for t in s.exec(select(VisitTier))}
    assert {
        name: at.number_input(key=f"org_tier_days_street_{tier_id}").value
        for name, tier_id in tiers.items()
    } == {"高风险": 7, "重点": 30, "一般": 90}
    assert at.text_input(key=f"org_tier_name_street_{tiers['一般']}").value == "一般"
    [stars] = [d.value for d in at.dataframe if translate("org.policy.hours") in d.value]
    assert list(stars[translate("org.policy.hours")]) == [100, 300, 600, 1000, 1500]
    at.number_input(key=f"org_tier_days_street_{tiers['一般']}").set_value(60)
    at.button(key=f"FormSubmitter:org_tier_street_{tiers['一般']}-保存").click().run()
    assert not at.error
    assert at.number_input(key=f"org_tier_days_street_{tiers['一般']}").value == 60


@pytest.mark.parametrize("username", ["wangge", "zhiyuan", "huiyi"])
def test_other_roles_cannot_open_the_organisation_page(demo_engine, username):
    at = app_test(demo_engine, username)
    with pytest.raises(ValueError):
        at.switch_page("views/organisation.py")


def test_a_handed_out_password_is_changed_before_anything_opens(engine):
    with Session(engine) as s:
        cid = make_community(s)
        admin = make_account(s, "jiedao", Role.admin, None, "admin-pass-1")
        s.add(Street(name="街道", district="区", setup_step=len(org.SETUP_STEPS)))
        s.commit()
        org.staff_account_create(
            session=s,
            actor=admin,
            role=Role.secretary,
            community_id=cid,
            username="shuji",
            display_name="书记",
            password="first-pass-1",
        )
        s.commit()
    at = _signed_in(engine, "shuji", "first-pass-1")
    assert [t.value for t in at.title] == [translate("org.password.title")]
    with pytest.raises(ValueError):
        at.switch_page("views/dashboard.py")
    at.text_input(key="password_current").input("first-pass-1")
    at.text_input(key="password_new").input("my-own-pass")
    at.text_input(key="password_confirm").input("my-own-pass")
    _click(at, "org.password.submit")
    assert not at.exception
    assert [t.value for t in at.title] == [translate("nav.dashboard")]
    at.switch_page("views/organisation.py").run()
    assert not at.exception
