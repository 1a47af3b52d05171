"""Sensitive fields (issue 15) swept like the role matrix: an elder with marked health
notes, a sensitive situation (重残) and care level 3, and a visit with marked health and
economy notes. For every page and every role that must not see them (a grid worker not
assigned to the elder, a volunteer not assigned, the meeting display) none of it appears
on any tab of any page the role may open, nor in any export file the role can make;
staff and the elder's own visitors do see them.

A board of its own, with one community and that one elder, so that 重残 has no other
reason to be on a page (the demo's elders have every situation)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import timedelta

import pytest
from google.protobuf import text_format
from openpyxl import load_workbook
from sqlalchemy.engine import Engine
from sqlmodel import Session

from models.accounts import Role
from models.base import local_today
from models.org import Grid
from services import elders, register_exports, visit_policy, visits
from services.access import PAGES, Actor, page_spec
from services.demo import DEMO_PASSWORD
from services.i18n import translate
from services.visit_content import Checklist, VisitContent
from tests import factories
from tests.conftest import app_test, make_account, make_community
from tests.pages.conftest import each_tab, open_tab

pytestmark = pytest.mark.usefixtures("fresh_read_cache")

NOTE = "HN7Q糖尿病足"  # the elder's health notes
VISIT_NOTE = "VH3Z血压偏高"  # a visit's health note
MONEY_NOTE = "EC9K低保待批"  # a visit's economy note
SITUATION = "重残"
CARE = translate("elders.care_level_is", "zh_CN", n=3)
SECRETS = (NOTE, VISIT_NOTE, MONEY_NOTE, SITUATION, CARE)


@dataclass(frozen=True)
class Board:
    engine: Engine
    elder_id: int
    task_id: int
    actors: dict[str, Actor]


@pytest.fixture
def board(engine: Engine) -> Board:
    today = local_today()
    with Session(engine, expire_on_commit=False) as s:
        cid = make_community(s)
        grid = Grid(community_id=cid, name="第一网格")
        s.add(grid)
        visit_policy.ensure_defaults(s)
        s.commit()
        actors = {
            name: make_account(s, name, role, None if role == Role.admin else cid, DEMO_PASSWORD)
            for name, role in (
                ("admin", Role.admin),
                ("shuji", Role.secretary),
                ("wg_mine", Role.grid_worker),
                ("wg_other", Role.grid_worker),
                ("zy_mine", Role.volunteer),
                ("zy_other", Role.volunteer),
                ("huiyi", Role.display),
            )
        }
        elder_id = elders.elder_create(
            session=s,
            actor=actors["shuji"],
            name="李大爷",
            birth_date=today.replace(year=today.year - 76) - timedelta(days=40),
            address="四千米社区3号楼2单元501",
            community_id=cid,
            today=today,
            grid_id=grid.id,
            phone="13912345678",
            situations=["独居", SITUATION],
            care_level=3,
            health_notes=NOTE,
            visitor_ids=[actors["wg_mine"].id, actors["zy_mine"].id],
        )
        s.commit()
        visits.visit_record(
            session=s,
            actor=actors["wg_mine"],
            elder_id=elder_id,
            visited_on=today,
            mode="上门",
            today=today,
            content=VisitContent(
                health=Checklist(("unwell",), VISIT_NOTE),
                economy=Checklist(("hardship",), MONEY_NOTE),
            ),
        )
        s.commit()
        task_id = factories.task(s, cid)
    return Board(engine, elder_id, task_id, actors)


def _texts(at) -> str:
    """Everything on the page: every element as its protobuf text (labels, values,
    options, help) and every table's cells."""
    parts: list[str] = []

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None:
            parts.append(text_format.MessageToString(proto, as_utf8=True))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    for frame in at.dataframe:
        parts += [str(v) for v in frame.value.astype(str).to_numpy().ravel()]
    return "\n".join(parts)


def _seen(text: str) -> list[str]:
    """The secrets on a page. 重残 counts where the page shows the elder (by name, or
    masked): the privacy notice names the situations an office records, for no one."""
    shows_elder = "李大爷" in text or "李**" in text
    return [s for s in SECRETS if s in text and (s != SITUATION or shows_elder)]


@pytest.mark.parametrize("username", ["wg_other", "zy_other", "huiyi"])
def test_no_page_shows_them_to_who_may_not_see_them(board, username):
    role = board.actors[username].role
    at = app_test(board.engine, username)
    opened = 0
    for spec in PAGES:
        if role not in spec.roles:
            continue
        at.switch_page(spec.path).run()
        for tab in each_tab(at):
            assert not tab.exception, (spec.key, tab.exception)
            assert _seen(_texts(tab)) == [], (username, spec.key)
            opened += 1
    assert opened >= 3


def test_the_unassigned_grid_worker_still_sees_the_elder_and_the_visit(board):
    """The sweep above proves something only if the elder and the visit are on the page."""
    at = open_tab(app_test(board.engine, "wg_other", "views/elders.py"), "elders_tab", "老人名册")
    text = _texts(at)
    assert "李大爷" in text and "独居" in text and "高风险" in text
    assert "139****5678" in text  # masked: not their elder
    assert translate("sensitive.withheld_visits", "zh_CN") in text
    assert _seen(text) == []


@pytest.mark.parametrize("username", ["shuji", "wg_mine"])
def test_staff_and_the_assigned_visitor_see_them_on_the_elders_page(board, username):
    at = open_tab(app_test(board.engine, username, "views/elders.py"), "elders_tab", "老人名册")
    assert not at.exception
    assert _seen(_texts(at)) == list(SECRETS)


@pytest.mark.parametrize("username", ["shuji", "wg_mine", "zy_mine"])
def test_staff_and_the_assigned_visitors_see_them_when_recording_a_visit(board, username):
    at = app_test(board.engine, username, "views/visit_record.py")
    assert not at.exception
    assert set(_seen(_texts(at))) == {NOTE, SITUATION, CARE}


def _cells(data: bytes) -> str:
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    return "\n".join(str(c) for row in sheet.iter_rows(values_only=True) for c in row)


def _export(board: Board, who: Actor, register: str, include_sensitive: bool = False) -> str:
    filters = {"visits": {"elder_id": board.elder_id}, "task_roster": {"task_id": board.task_id}}
    with Session(board.engine) as s:
        data = register_exports.register_export(
            session=s,
            actor=who,
            register=register,
            lang="zh_CN",
            today=local_today(),
            filters=filters.get(register, {}),
            include_sensitive=include_sensitive,
        )
        s.commit()
    return _cells(data)


def test_no_export_holds_them_unless_staff_opt_in(board):
    made = 0
    for username in ("wg_other", "wg_mine", "zy_mine", "zy_other", "huiyi", "shuji"):
        who = board.actors[username]
        for register, spec in register_exports.REGISTERS.items():
            if who.role not in page_spec(spec.page).roles or register == "registrations":
                continue  # the page is not theirs; an event's registrants hold no elder
            assert _seen(_export(board, who, register)) == [], (username, register)
            made += 1
    assert made >= 10
    shuji = board.actors["shuji"]
    assert set(_seen(_export(board, shuji, "elders", include_sensitive=True))) == {
        NOTE,
        SITUATION,
    }
    assert set(_seen(_export(board, shuji, "visits", include_sensitive=True))) == {
        VISIT_NOTE,
        MONEY_NOTE,
    }
