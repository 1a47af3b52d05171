"""One person's data exported by staff on request: every row about a volunteer or an
elder of their community, logged in the access log and the audit trail; refused to
other communities and other roles."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlmodel import Session, select

from models.accounts import Role
from models.audit import AuditEntry
from models.cases import Case, CaseCategory, CaseSource
from models.elders import Elder, ElderChange, ElderVisitor, Referral, Visit
from models.privacy import AccessKind, AccessLogEntry
from services import person_export
from services.access import Actor
from services.errors import BoardError
from services.i18n import translate
from tests.conftest import make_account
from tests.factories import World, volunteer, world

TODAY = date(2026, 11, 25)


@dataclass
class Board:
    w: World
    wangge: Actor
    elder: int
    vid: int


@pytest.fixture
def board(session: Session) -> Board:
    """An elder, 李奶奶, with a visitor, two visits (one voided), a referral, a major
    change and three cases: one linked to her record, one under her name, one of a
    namesake of another community (not hers)."""
    w = world(session)
    other = world(session, "前进社区")
    wangge = make_account(session, "wangge", Role.grid_worker, w.community_id)
    elder = Elder(
        name="李奶奶",
        birth_date=date(1938, 5, 2),
        phone="13900001111",
        address="四千米小区3号楼2单元501",
        community_id=w.community_id,
        situations="独居,失能",
        care_level=2,
        health_notes="高血压，行动不便",
        registered_on=date(2024, 1, 5),
    )
    session.add(elder)
    session.commit()
    session.add(ElderVisitor(elder_id=elder.id, account_id=wangge.id))
    visits = [
        Visit(
            elder_id=elder.id,
            visitor_account_id=wangge.id,
            visitor_name="王网格",
            visited_on=date(2026, 11, 1),
            mode="上门",
            wellbeing="fair",
            health="medication",
            needs_raised="需要助浴",
        ),
        Visit(
            elder_id=elder.id,
            visitor_name="王网格",
            visited_on=date(2026, 10, 1),
            mode="电话",
            voided=True,
            fix_reason="记错了老人",
        ),
    ]
    session.add_all(visits)
    session.commit()
    session.add(
        Referral(
            visit_id=visits[0].id,
            elder_id=elder.id,
            service="社区卫生服务站",
            need="助浴",
            due_on=date(2026, 11, 8),
            created_by=wangge.id,
            created_on=date(2026, 11, 1),
        )
    )
    session.add(ElderChange(elder_id=elder.id, kind="fall", occurred_on=date(2026, 10, 20)))
    for number, community, link in (
        ("2026-0001", w.community_id, elder.id),
        ("2026-0002", w.community_id, None),
        ("2026-0003", other.community_id, None),
    ):
        session.add(
            Case(
                number=number,
                community_id=community,
                source=CaseSource.patrol,
                category=CaseCategory.help,
                description=f"诉求 {number}",
                resident_name="李奶奶",
                elder_id=link,
                reported_by=wangge.id,
            )
        )
    session.commit()
    vid = volunteer(session, w.community_id, "张志愿")
    return Board(w, wangge, elder.id, vid)


def _export(session: Session, actor: Actor, record_type: str, record_id: int) -> dict:
    data = person_export.person_export(
        session=session,
        actor=actor,
        record_type=record_type,
        record_id=record_id,
        lang="zh_CN",
        today=TODAY,
    )
    session.commit()
    book = load_workbook(io.BytesIO(data))
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in book.worksheets}


def test_an_elders_export_holds_every_row_about_them(session, board):
    sheets = _export(session, board.w.shuji, "elder", board.elder)
    assert list(sheets) == [
        "档案",
        "探访人",
        "探访记录",
        "转介",
        "重大变化",
        "专项探访",
        "居民诉求",
        "档案修改记录",
        "谁查看或导出过我的信息",
    ]
    record = dict(sheets["档案"][1:])
    assert record["健康情况"] == "高血压，行动不便"  # her own sensitive data, in full
    assert record["电话"] == "13900001111"
    assert record["居住情况"] == "独居、失能"
    assert sheets["探访人"][1:] == [("wangge", "网格员")]
    visits = sheets["探访记录"]
    assert [(r[0], r[1], r[10]) for r in visits[1:]] == [
        ("2026-11-01", "上门", "否"),
        ("2026-10-01", "电话", "是"),
    ]
    assert "需要助浴" in visits[1][8]
    # the areas read as the register export writes them (visit_content.area_text)
    assert visits[0][4:9] == ("健康", "经济", "赡养", "安全", "需求")
    assert visits[1][4] == translate("visits.health.medication", "zh_CN")
    assert [r[2] for r in sheets["转介"][1:]] == ["助浴"]
    assert [r[1] for r in sheets["重大变化"][1:]] == ["跌倒"]
    cases = {r[0]: r[-1] for r in sheets["居民诉求"][1:]}
    assert cases == {"2026-0001": "关联到档案", "2026-0002": "同社区同名，请核实"}


def test_the_export_is_logged_and_audited(session, board):
    _export(session, board.w.shuji, "elder", board.elder)
    _export(session, board.w.admin, "volunteer", board.vid)
    entries = session.exec(select(AccessLogEntry).order_by(AccessLogEntry.id)).all()
    assert [
        (e.kind, e.account_id, e.record_type, e.record_id, e.community_id, e.page) for e in entries
    ] == [
        (
            AccessKind.export,
            board.w.shuji.id,
            "elder",
            board.elder,
            board.w.community_id,
            "corrections",
        ),
        (
            AccessKind.export,
            board.w.admin.id,
            "volunteer",
            board.vid,
            board.w.community_id,
            "corrections",
        ),
    ]
    assert "个人信息_李奶奶_2026-11-25.xlsx" in entries[0].detail
    audits = session.exec(select(AuditEntry).where(AuditEntry.action == "export")).all()
    assert [(a.table_name, a.row_id, a.account_id) for a in audits] == [
        ("elder", board.elder, board.w.shuji.id),
        ("volunteer", board.vid, board.w.admin.id),
    ]
    # the second export lists the first in the elder's workbook
    sheets = _export(session, board.w.shuji, "elder", board.elder)
    assert [r[2] for r in sheets["谁查看或导出过我的信息"][1:]] == ["导出"]


def test_a_volunteers_export_is_what_they_download_themselves(session, board):
    sheets = _export(session, board.w.shuji, "volunteer", board.vid)
    assert list(sheets)[:3] == ["个人资料", "登录账号", "服务队"]
    assert dict(sheets["个人资料"][1:])["姓名"] == "张志愿"


def test_other_communities_and_other_roles_are_refused(session, board):
    other = world(session, "大召社区")
    for actor, key in ((other.shuji, "access.other_community"), (board.wangge, "access.denied")):
        for record_type, record_id in (("elder", board.elder), ("volunteer", board.vid)):
            with pytest.raises(BoardError) as err:
                person_export.person_export(
                    session=session,
                    actor=actor,
                    record_type=record_type,
                    record_id=record_id,
                    lang="zh_CN",
                    today=TODAY,
                )
            session.rollback()
            assert err.value.key == key
    with pytest.raises(BoardError):
        person_export.person_export(
            session=session,
            actor=board.w.shuji,
            record_type="merchant",
            record_id=1,
            lang="zh_CN",
            today=TODAY,
        )
    session.rollback()
    assert session.exec(select(AccessLogEntry)).all() == []


def test_staff_pick_among_the_people_of_their_communities(session, board):
    other = world(session, "大召社区")
    volunteer(session, other.community_id, "赵六")
    mine = person_export.person_choices(
        session=session, actor=board.w.shuji, record_type="volunteer"
    )
    assert [(p.name, p.phone[3:7]) for p in mine] == [("张志愿", "****")]
    everyone = person_export.person_choices(
        session=session, actor=board.w.admin, record_type="volunteer"
    )
    assert {p.name for p in everyone} == {"张志愿", "赵六"}
    elders = person_export.person_choices(session=session, actor=board.w.shuji, record_type="elder")
    assert [p.name for p in elders] == ["李奶奶"]


def test_the_service_record_from_the_volunteers_page_is_logged_as_an_export(session, board):
    # the volunteers page's 服务记录 file holds one person's name and sign-ups: it is an
    # export of their record like any other, in the access log and the audit trail
    data = person_export.service_record_export(
        session=session, actor=board.w.shuji, volunteer_id=board.vid, lang="zh_CN", today=TODAY
    )
    session.commit()
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["时长合计", "服务记录"]
    totals = list(book.worksheets[0].values)
    assert totals[1][0] == "张志愿"
    entry = session.exec(select(AccessLogEntry)).one()
    assert (entry.kind, entry.record_type, entry.record_id, entry.page) == (
        AccessKind.export,
        "volunteer",
        board.vid,
        "volunteers",
    )
    assert session.exec(select(AuditEntry).where(AuditEntry.action == "export")).one()
    name = person_export.service_record_name("张志愿", lambda key, **_: "服务记录", TODAY)
    assert name == "服务记录_张志愿_2026-11-25.xlsx"
    with pytest.raises(BoardError):
        person_export.service_record_export(
            session=session, actor=board.wangge, volunteer_id=board.vid, lang="zh_CN", today=TODAY
        )
