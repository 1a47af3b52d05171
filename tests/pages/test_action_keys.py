"""Every button that acts on a record carries that record's id in its key (issue 10).

A key made from a list position, or one key shared by whichever record is on screen,
lets a rerun, a message or a re-sorted list move a press onto another record. So on
every page, for every role that may see it, each button's key either ends in a record
id (<scope>_<action>_<id>, see ui/records.py) or is one of the page-level actions
written out below (filters, a new record's form, signing out), literally, so that a new
unkeyed or shared-key button fails here.
"""

import re

import pytest

from models.accounts import Role
from services.access import PAGES
from tests.conftest import app_test
from tests.pages.conftest import each_tab
from tests.pages.test_access_sweep import DEMO_USER

# ..._12, FormSubmitter:form_12-label, or the new-tier form of one set of visit tiers:
# FormSubmitter:<scope>_tier_<whose>_new-label (whose: street or a community id)
RECORD_KEY = re.compile(r"_\d+$|_\d+-[^-]+$|_tier_(street|\d+)_new-[^-]+$")

# Buttons that act on no single record, page by page ("x_*": the chart downloads x_...).
PAGE_ACTIONS: dict[str, set[str]] = {
    "dashboard": {"dashboard_excel", "dashboard_meeting", "dashboard_pdf", "dashboard_png_*"},
    "meeting": {"meeting_exit", "meeting_next", "meeting_prev"},
    "cases": {
        "FormSubmitter:cases_intake-上报",
        "cases_page_prev",
        "cases_page_next",
        "cases_satisfied_page_prev",
        "cases_satisfied_page_next",
    },
    "case_settings": {
        "FormSubmitter:case_limits-保存",
        "FormSubmitter:dept_new-创建",
        "FormSubmitter:calday_new-添加",
    },
    "tasks": {"FormSubmitter:tasks_new-发布任务", "tasks_export"},
    "calendar": {"calendar_prev", "calendar_today", "calendar_next"},
    "volunteers": {
        "FormSubmitter:volunteers_new-创建",
        "FormSubmitter:volunteers_stars-保存",
        "volunteers_export",
    },
    "teams": {"FormSubmitter:teams_new-创建", "teams_export"},
    "elders": {
        "FormSubmitter:elders_new-创建",
        "FormSubmitter:elders_campaign-发起",
        "elders_export",
    },
    "merchants": {"FormSubmitter:merchants_new-创建", "merchants_export"},
    "proxy_board": {
        "FormSubmitter:proxy_new-受理",
        "FormSubmitter:rect_days-保存",
        "proxy_board_export",
    },
    "proxy_queue": {"proxy_queue_export"},
    "my_tasks": {"my_past_more"},
    "events": {"FormSubmitter:events_new-创建活动", "events_export"},
    "programme": {"FormSubmitter:programme_mine-取消报名", "FormSubmitter:programme_mine-查询"},
    "check_in": {"FormSubmitter:check_in_form-签到"},
    "certificate_check": {"FormSubmitter:certcheck_form-查验"},
    "organisation": {"FormSubmitter:org_add_communities-添加", "FormSubmitter:org_street-保存"},
    "accounts": {"FormSubmitter:accounts_create-创建"},
    "imports": {
        "imports_template",
        "imports_bad_rows",
        "imports_go_file",
        "imports_go_no_file",
        "imports_go_yes_file",
    },
    "backup": {"backup_make", "backup_download"},
    "retention": {"FormSubmitter:retention_settings-保存"},
}


def _page_level(key: str, allowed: set[str]) -> bool:
    return key in allowed or any(a.endswith("*") and key.startswith(a[:-1]) for a in allowed)


CASES = [(spec, role) for spec in PAGES for role in sorted(spec.roles)]


def _button_keys(at) -> list[str | None]:
    return [b.key for b in at.button] + [b.key for b in at.get("download_button")]


@pytest.mark.parametrize(("spec", "role"), CASES, ids=[f"{s.key}-{r}" for s, r in CASES])
def test_every_record_button_is_keyed_by_its_record(demo_engine, spec, role):
    at = app_test(demo_engine, DEMO_USER[Role(role)], spec.path)
    keys = []
    for tab in each_tab(at):  # a page draws only the open tab
        assert not tab.exception
        keys += _button_keys(tab)
    assert None not in keys, "every button has a key of its own"
    allowed = PAGE_ACTIONS.get(spec.key, set()) | {"nav_sign_out"}
    stray = [k for k in keys if not RECORD_KEY.search(k) and not _page_level(k, allowed)]
    assert not stray, stray
