"""我的信息: a volunteer reads every part the board holds about them, and only their own;
their download holds a sheet per part and is logged like every export."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlmodel import Session, select

from models.accounts import Role
from models.audit import AuditEntry
from models.base import utcnow
from models.certificates import ServiceCertificate
from models.privacy import AccessKind, AccessLogEntry
from models.volunteers import (
    HoursSource,
    HoursStatus,
    Signup,
    SignupStatus,
    Team,
    TeamMember,
    Volunteer,
)
from services import access_log, corrections, my_data, volunteers
from services.access import Actor
from services.errors import BoardError
from tests.conftest import make_account
from tests.factories import World, task, volunteer, world

TODAY = date(2026, 11, 25)
ZH_SHEETS = [
    "个人资料",
    "登录账号",
    "服务队",
    "报名与服务时长",
    "服务证明",
    "更正申请",
    "档案修改记录",
    "谁查看或导出过我的信息",
]


@dataclass
class Board:
    w: World
    me: Actor
    vid: int
    other: Actor
    other_vid: int


def _signup(
    session: Session,
    task_id: int,
    volunteer_id: int,
    hours: float,
    status: HoursStatus,
    *,
    source: HoursSource = HoursSource.check,
    by: Actor | None = None,
    reason: str = "",
) -> None:
    session.add(
        Signup(
            task_id=task_id,
            volunteer_id=volunteer_id,
            status=SignupStatus.attended,
            hours=hours,
            hours_status=status,
            hours_source=source,
            hours_entered_by=by.id if by and source == HoursSource.staff else None,
            hours_reason=reason,
            approved_by=by.id if by and status == HoursStatus.approved else None,
            approved_at=utcnow() if status == HoursStatus.approved else None,
        )
    )
    session.commit()


@pytest.fixture
def board(session: Session) -> Board:
    """张志愿 (signed in as zhiyuan) with two teams, three sign-ups, a certificate, a
    correction request, a change by the secretary and one look at the record; and
    李四 (lisi), another volunteer of the same community, with a sign-up of his own."""
    w = world(session)
    me = make_account(session, "zhiyuan", Role.volunteer, w.community_id)
    vid = volunteer(session, w.community_id, "张志愿", account=me)
    other = make_account(session, "lisi", Role.volunteer, w.community_id)
    other_vid = volunteer(session, w.community_id, "李四", account=other)

    helpers = Team(name="助老服务队", community_id=w.community_id)
    culture = Team(name="文艺队", community_id=w.community_id, leader_id=vid)
    session.add_all([helpers, culture])
    session.commit()
    session.add(TeamMember(team_id=helpers.id, volunteer_id=vid, joined_on=date(2025, 3, 1)))
    session.commit()

    visit = task(session, w.community_id, starts_in=-timedelta(days=10), title="探访独居老人")
    errand = task(session, w.community_id, starts_in=-timedelta(days=5), title="代缴水电费")
    fair = task(session, w.community_id, starts_in=-timedelta(days=2), title="社区义诊")
    _signup(session, visit, vid, 2, HoursStatus.approved, by=w.shuji)
    _signup(
        session,
        errand,
        vid,
        1.5,
        HoursStatus.approved,
        source=HoursSource.staff,
        by=w.shuji,
        reason="忘记签退",
    )
    _signup(session, fair, vid, 3, HoursStatus.pending)
    _signup(session, fair, other_vid, 4, HoursStatus.approved, by=w.shuji)

    session.add(
        ServiceCertificate(
            number="ZYZM-2026-000007",
            volunteer_id=vid,
            community_id=w.community_id,
            period_start=date(2026, 1, 1),
            period_end=date(2026, 11, 1),
            service_count=1,
            total_hours=2,
            digest="0" * 64,
            person_in_charge="王建国",
            contact_phone="0471-6951234",
            issued_by=me.id,
        )
    )
    session.commit()
    corrections.correction_create(session=session, actor=me, field="name", requested="张志远")
    row = session.get(Volunteer, vid)
    volunteers.volunteer_update(
        session=session,
        actor=w.shuji,
        volunteer_id=vid,
        name=row.name,
        phone=row.phone,
        grid_id=None,
        skills="first_aid",
        party_member=True,
        note="",
    )
    for record_id in (vid, other_vid):
        access_log.log_access(
            session,
            actor=w.shuji,
            kind=AccessKind.view,
            record_type="volunteer",
            record_id=record_id,
            community_id=w.community_id,
            page="volunteers",
        )
    session.commit()
    return Board(w, me, vid, other, other_vid)


def test_a_volunteer_reads_every_part_of_their_data(session, board):
    data = my_data.my_data(session=session, actor=board.me)
    assert data is not None and data.volunteer_id == board.vid
    p = data.profile
    assert (p.name, p.community, p.skills, p.party_member) == (
        "张志愿",
        "四千米社区",
        ("first_aid",),
        True,
    )
    assert p.phone == session.get(Volunteer, board.vid).phone  # their own, unmasked
    assert (data.account.username, data.account.role) == ("zhiyuan", "volunteer")
    assert [(x.team, x.joined_on, x.member, x.leader) for x in data.teams] == [
        ("助老服务队", date(2025, 3, 1), True, False),
        ("文艺队", None, False, True),
    ]
    assert [
        (s.task, s.hours, s.hours_status, s.approved_by, s.entered_by) for s in data.services
    ] == [
        ("社区义诊", 3, "pending", "", ""),
        ("代缴水电费", 1.5, "approved", board.w.shuji.username, board.w.shuji.username),
        ("探访独居老人", 2, "approved", board.w.shuji.username, ""),
    ]
    assert (data.approved_check, data.approved_staff, data.pending_hours) == (2, 1.5, 3)
    assert data.star.hours == 3.5
    assert [c.number for c in data.certificates] == ["ZYZM-2026-000007"]
    assert [(c.field, c.requested, c.status) for c in data.corrections] == [
        ("name", "张志远", "open")
    ]
    [update] = [c for c in data.changes if c.action == "update"]
    assert (update.role, update.by_self) == ("secretary", False)
    assert set(update.fields) == {("skills", "", "first_aid"), ("party_member", False, True)}
    assert [(a.role, a.kind, a.page, a.by_self) for a in data.access] == [
        ("secretary", "view", "volunteers", False)
    ]


def test_another_volunteers_data_is_never_reachable(session, board):
    theirs = my_data.my_data(session=session, actor=board.other)
    assert theirs.volunteer_id == board.other_vid
    assert [s.task for s in theirs.services] == ["社区义诊"]
    assert theirs.teams == theirs.certificates == theirs.corrections == []
    assert [a.kind for a in theirs.access] == ["view"]  # the look at their own record only
    # staff, and a volunteer account with no record linked, have no 我的信息
    assert my_data.my_data(session=session, actor=board.w.shuji) is None
    unlinked = make_account(session, "daiban", Role.volunteer, board.w.community_id)
    assert my_data.my_data(session=session, actor=unlinked) is None
    with pytest.raises(BoardError):
        my_data.my_data_export(session=session, actor=unlinked, lang="zh_CN", today=TODAY)


def _book(data: bytes):
    return load_workbook(io.BytesIO(data))


def test_the_download_holds_a_sheet_per_part_and_is_logged(session, board):
    data = my_data.my_data_export(session=session, actor=board.me, lang="zh_CN", today=TODAY)
    session.commit()
    book = _book(data)
    assert book.sheetnames == ZH_SHEETS
    services = [row for row in book["报名与服务时长"].iter_rows(values_only=True)]
    assert services[0][:5] == ("任务", "开始", "结束", "状态", "时长（小时）")
    assert [r[0] for r in services[1:]] == ["社区义诊", "代缴水电费", "探访独居老人"]
    assert "李四" not in str([list(ws.values) for ws in book.worksheets])
    entry = session.exec(
        select(AccessLogEntry).where(AccessLogEntry.kind == AccessKind.export)
    ).one()
    assert (entry.account_id, entry.record_type, entry.record_id, entry.page) == (
        board.me.id,
        "volunteer",
        board.vid,
        "my_data",
    )
    assert "个人信息_张志愿_2026-11-25.xlsx" in entry.detail
    audit = session.exec(select(AuditEntry).where(AuditEntry.action == "export")).one()
    assert (audit.table_name, audit.row_id) == ("volunteer", board.vid)
    # the volunteer's own download is listed as theirs, and is not a change to the record
    again = my_data.my_data(session=session, actor=board.me)
    assert [(a.kind, a.by_self) for a in again.access] == [("export", True), ("view", False)]
    assert all(c.action != "export" for c in again.changes)


KEY_LIKE = re.compile(r"^[a-z_]+\.[a-z0-9_.]+$")


def test_every_header_and_value_is_in_the_readers_language(session, board):
    book = _book(my_data.my_data_export(session=session, actor=board.me, lang="en", today=TODAY))
    assert book.sheetnames[0] == "Profile"
    cells = [
        str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row
    ]
    assert not [c for c in cells if KEY_LIKE.match(c)], "untranslated message keys"
    assert {"Confirmed by", "Community secretary", "First aid"} <= set(cells)


def test_cells_of_typed_text_are_inert(session, board):
    row = session.get(Volunteer, board.vid)
    row.note = '=HYPERLINK("http://evil.example")'
    session.add(row)
    session.commit()
    book = _book(my_data.my_data_export(session=session, actor=board.me, lang="zh_CN", today=TODAY))
    values = [v for r in book["个人资料"].iter_rows(values_only=True) for v in r]
    assert '\'=HYPERLINK("http://evil.example")' in values


def test_times_are_shown_in_local_time():
    assert my_data.when_text(datetime(2026, 11, 24, 16, 30, tzinfo=UTC)) == "2026-11-25 00:30"
