"""Every page renders for each role that may see it and is refused for every other role,
both in the navigation and when its URL is asked for directly."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from models.accounts import Role
from services.access import PAGES
from services.i18n import translate
from tests.conftest import ROOT, app_test, sign_in_token
from tests.pages.conftest import each_tab

DEMO_USER = {
    Role.admin: "admin",
    Role.secretary: "shuji",
    Role.grid_worker: "wangge",
    Role.volunteer: "zhiyuan",
    Role.display: "huiyi",
}
A, S, G, V, D = Role.admin, Role.secretary, Role.grid_worker, Role.volunteer, Role.display
# Who may open which page, written out here rather than read from services.access.PAGES:
# a wrong entry there fails this table instead of passing as its own oracle.
EXPECTED_ROLES = {
    "home": {G, V},
    "dashboard": {A, S},
    "meeting": {A, S, G, D},
    "open_tasks": {V},
    "my_tasks": {V},
    "check_in": {V},
    "my_data": {V},
    "tasks": {A, S, G},
    "calendar": {A, S},
    "volunteers": {A, S},
    "teams": {A, S},
    "certificates": {A, S},
    "elders": {A, S, G},
    "visit_record": {A, S, G, V},
    "proxy_board": {A, S},
    "merchants": {A, S},
    "proxy_queue": {S, G, V},
    "events": {A, S},
    "programme": {A, S, G, V, D},
    "certificate_check": {A, S, G, V, D},
    "organisation": {A, S},
    "accounts": {A, S},
    "imports": {A, S},
    "audit": {A, S},
    "corrections": {A, S},
    "access_log": {A},
    "cases": {A, S, G, V},
    "case_settings": {A},
    "backup": {A},
    "privacy": {A, S, G, V, D},
    "messages": {A, S, G, V},
    "retention": {A},
}
CASES = [(spec, role) for spec in PAGES for role in Role]


def test_page_roles_are_the_expected_ones():
    assert {spec.key: set(spec.roles) for spec in PAGES} == EXPECTED_ROLES


def _texts(at: AppTest) -> str:
    parts = (
        [e.value for e in at.title] + [e.value for e in at.markdown] + [e.value for e in at.error]
    )
    return " ".join(str(p) for p in parts)


@pytest.mark.parametrize(("spec", "role"), CASES, ids=[f"{s.key}-{r}" for s, r in CASES])
def test_page_access(demo_engine, spec, role):
    username = DEMO_USER[role]
    denied = translate("access.denied_page", "zh_CN", page=translate(spec.title_key))
    if role in EXPECTED_ROLES[spec.key]:
        at = app_test(demo_engine, username, spec.path)
        for tab in each_tab(at):  # a page draws only the open tab
            assert not tab.exception, tab.exception
            errors = [e.value for e in tab.error]
            assert denied not in errors
            # a crash behind the friendly page
            assert translate("error.unexpected_title") not in errors
            assert len(tab.main.children) > 0
    else:
        # Asked for directly by URL, the page refuses to render (the navigation leaves it
        # out: test_the_navigation_offers_a_role_only_its_pages).
        direct = AppTest.from_file(str(Path(ROOT, spec.path)), default_timeout=30)
        direct.session_state["auth_token"] = sign_in_token(demo_engine, username)
        direct.run()
        assert [e.value for e in direct.error] == [denied]
        assert not direct.title


@pytest.mark.parametrize("role", list(Role))
def test_the_navigation_offers_a_role_only_its_pages(demo_engine, role):
    at = app_test(demo_engine, DEMO_USER[role])
    for spec in PAGES:
        if role in EXPECTED_ROLES[spec.key]:
            at.switch_page(spec.path)  # offered: switching to it is allowed (not run here)
        else:
            with pytest.raises(ValueError):
                at.switch_page(spec.path)


def test_signed_out_user_sees_only_the_sign_in_page(demo_engine):
    at = app_test(demo_engine, None)
    assert at.text_input(key="login_username")
    assert not [e.value for e in at.error]
    with pytest.raises(ValueError):
        at.switch_page("views/home.py")
