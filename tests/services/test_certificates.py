"""志愿服务记录证明: what a certificate lists, who may issue it, its number, its PDF and the
public check."""

from __future__ import annotations

import io
import re
from datetime import date, datetime, time, timedelta

import pytest
from pypdf import PdfReader
from sqlmodel import Session, select

from models.accounts import Role
from models.audit import AuditEntry
from models.base import LOCAL_TZ, local_today
from models.certificates import ServiceCertificate
from models.volunteers import HoursSource, HoursStatus, Signup, SignupStatus, Task, TaskKind
from services import access, certificates, org
from services.errors import BoardError
from tests.conftest import make_account
from tests.factories import volunteer, world

TODAY = date(2026, 12, 6)
YEAR = (date(2026, 1, 1), date(2026, 12, 6))


def _task(session: Session, community_id: int, day: date, title: str, hour: int = 9) -> int:
    starts = datetime.combine(day, time(hour), LOCAL_TZ)
    row = Task(
        title=title,
        kind=TaskKind.elder_visit,
        community_id=community_id,
        starts_at=starts,
        ends_at=starts + timedelta(hours=3),
        capacity=5,
    )
    session.add(row)
    session.commit()
    return row.id


def _served(
    session: Session,
    task_id: int,
    volunteer_id: int,
    hours: float,
    *,
    status: HoursStatus = HoursStatus.approved,
    approved_by: int | None = None,
) -> int:
    row = Signup(
        task_id=task_id,
        volunteer_id=volunteer_id,
        status=SignupStatus.attended,
        hours=hours,
        hours_status=status,
        hours_source=HoursSource.check,
        approved_by=approved_by if status == HoursStatus.approved else None,
    )
    session.add(row)
    session.commit()
    return row.id


@pytest.fixture
def board(session):
    """四千米社区 with its person in charge set, the volunteer 张丽 (with her own account)
    and her service: three approved lines in 2026, and around them what a certificate
    must leave out."""
    w = world(session)
    org.community_set_contact(
        session=session,
        actor=w.shuji,
        community_id=w.community_id,
        person_in_charge="王建国",
        office_phone="0471 6951234",
    )
    session.commit()
    own = make_account(session, "zhangli", Role.volunteer, w.community_id)
    vid = volunteer(session, w.community_id, "张丽", account=own)
    other = volunteer(session, w.community_id, "李强")
    elsewhere = world(session, "前进社区")
    cid = w.community_id
    # counted: approved, in the period, hers, on her community's tasks (New Year's Day at
    # 07:00 local is 2025-12-31 23:00 UTC: the period is of local days)
    _served(session, _task(session, cid, date(2026, 1, 1), "元旦慰问", hour=7), vid, 4)
    _served(
        session,
        _task(session, cid, date(2026, 3, 10), "探访独居老人"),
        vid,
        2,
        approved_by=w.shuji.id,
    )
    _served(session, _task(session, cid, date(2026, 5, 1), "社区义诊"), vid, 3.5)
    _served(
        session,
        _task(session, cid, date(2026, 11, 30), "垃圾分类宣传"),
        vid,
        1.5,
        approved_by=w.admin.id,
    )
    # left out: pending hours, hours of 2025, another volunteer's, another community's task
    _served(
        session,
        _task(session, cid, date(2026, 6, 2), "代办年报"),
        vid,
        2,
        status=HoursStatus.pending,
    )
    _served(session, _task(session, cid, date(2025, 12, 31), "跨年守岁", hour=20), vid, 5)
    shared = _task(session, cid, date(2026, 4, 4), "清明文明祭扫")
    _served(session, shared, other, 6)
    _served(session, _task(session, elsewhere.community_id, date(2026, 7, 7), "外社区活动"), vid, 8)
    return w, own, vid, other


def _issue(session, actor, vid, period=YEAR):
    done = certificates.issue_certificate(
        session=session,
        actor=actor,
        volunteer_id=vid,
        period_start=period[0],
        period_end=period[1],
        today=TODAY,
    )
    session.commit()
    return done


def test_a_certificate_lists_only_her_approved_hours_in_the_period(session, board):
    w, _own, vid, _other = board
    draft = certificates.certificate_draft(
        session=session,
        actor=w.shuji,
        volunteer_id=vid,
        period_start=YEAR[0],
        period_end=YEAR[1],
        today=TODAY,
    )
    assert [(ln.day, ln.task, ln.hours, ln.confirmed_by) for ln in draft.lines] == [
        # approved before the approver was kept: the community confirmed it
        (date(2026, 1, 1), "元旦慰问", 4.0, "四千米社区"),
        (date(2026, 3, 10), "探访独居老人", 2.0, f"shuji{w.community_id}"),
        (date(2026, 5, 1), "社区义诊", 3.5, "四千米社区"),
        (date(2026, 11, 30), "垃圾分类宣传", 1.5, f"admin{w.community_id}"),
    ]
    assert (draft.service_count, draft.total_hours) == (4, 11.0)
    assert draft.volunteer_number == f"{w.community_id:03d}-{vid:06d}"


def test_the_period_is_of_local_days_both_ends_included(session, board):
    w, _own, vid, _other = board
    one_day = certificates.certificate_draft(
        session=session,
        actor=w.shuji,
        volunteer_id=vid,
        period_start=date(2026, 5, 1),
        period_end=date(2026, 5, 1),
        today=TODAY,
    )
    assert [ln.task for ln in one_day.lines] == ["社区义诊"]
    # 2025-12-31 20:00 local: in a certificate of that day, in none of 2026
    last_year = certificates.certificate_draft(
        session=session,
        actor=w.shuji,
        volunteer_id=vid,
        period_start=date(2025, 12, 31),
        period_end=date(2025, 12, 31),
        today=TODAY,
    )
    assert [(ln.task, ln.hours) for ln in last_year.lines] == [("跨年守岁", 5.0)]


def test_issuing_keeps_the_totals_contact_digest_and_audits(session, board):
    w, _own, vid, _other = board
    issued = _issue(session, w.shuji, vid)
    row = session.exec(select(ServiceCertificate)).one()
    assert row.number == issued.number
    assert re.fullmatch(rf"ZYZM-{local_today().year}-{row.id:06d}", row.number)
    assert (row.service_count, row.total_hours) == (4, 11.0)
    assert (row.person_in_charge, row.contact_phone) == ("王建国", "0471-6951234")
    assert (row.period_start, row.period_end) == YEAR
    assert re.fullmatch(r"[0-9a-f]{64}", row.digest)
    assert (row.volunteer_id, row.community_id, row.issued_by) == (vid, w.community_id, w.shuji.id)
    audit = session.exec(
        select(AuditEntry).where(AuditEntry.table_name == "servicecertificate")
    ).one()
    assert (audit.action, audit.row_id, audit.account_id) == ("create", row.id, w.shuji.id)
    assert row.number in audit.changes


def test_numbers_are_unique_and_increasing(session, board):
    w, own, vid, _other = board
    numbers = [_issue(session, actor, vid).number for actor in (w.shuji, own, w.admin, w.shuji)]
    assert len(set(numbers)) == 4
    assert numbers == sorted(numbers)


def test_who_may_issue(session, board):
    w, own, vid, other = board
    assert _issue(session, own, vid).number  # the volunteer, for herself
    assert _issue(session, w.shuji, vid).number  # staff of her community
    assert _issue(session, w.admin, vid).number  # the street admin
    stranger = make_account(session, "stranger", Role.volunteer, w.community_id)
    worker = make_account(session, "wangge", Role.grid_worker, w.community_id)
    other_shuji = make_account(session, "qianjin", Role.secretary, w.community_id + 1)
    for actor, key in (
        (own, "access.denied"),  # her account, another volunteer's certificate
        (stranger, "access.denied"),
        (worker, "access.denied"),
        (other_shuji, "access.other_community"),
    ):
        target = other if actor is own else vid
        with pytest.raises(BoardError) as refused:
            _issue(session, actor, target)
        assert refused.value.key == key
        session.rollback()
    assert len(session.exec(select(ServiceCertificate)).all()) == 3


def test_a_period_without_approved_service_is_refused(session, board):
    w, _own, vid, _other = board
    with pytest.raises(BoardError) as refused:
        _issue(session, w.shuji, vid, (date(2026, 6, 1), date(2026, 6, 30)))  # pending only
    assert refused.value.key == "certificates.no_service"
    session.rollback()
    assert session.exec(select(ServiceCertificate)).all() == []


@pytest.mark.parametrize(
    ("period", "key"),
    [
        ((date(2026, 5, 2), date(2026, 5, 1)), "certificates.period_invalid"),
        ((date(2026, 1, 1), date(2026, 12, 7)), "certificates.period_future"),
    ],
)
def test_a_bad_period_is_refused(session, board, period, key):
    w, _own, vid, _other = board
    with pytest.raises(BoardError) as refused:
        _issue(session, w.shuji, vid, period)
    assert refused.value.key == key


def test_no_person_in_charge_no_certificate_and_staff_are_told_where(session):
    w = world(session)
    own = make_account(session, "zhangli", Role.volunteer, w.community_id)
    vid = volunteer(session, w.community_id, "张丽", account=own)
    _served(session, _task(session, w.community_id, date(2026, 3, 10), "探访"), vid, 2)
    for actor, key in (
        (w.shuji, "certificates.contact_missing_staff"),
        (own, "certificates.contact_missing"),
    ):
        with pytest.raises(BoardError) as refused:
            _issue(session, actor, vid)
        assert refused.value.key == key
        assert refused.value.params == {"community": "四千米社区"}
        session.rollback()
    assert session.exec(select(ServiceCertificate)).all() == []


def _pdf_text(data: bytes) -> str:
    """The PDF's text without blanks or line breaks (a wrapped sentence reads whole)."""
    pages = PdfReader(io.BytesIO(data)).pages
    return re.sub(r"\s", "", "".join(page.extract_text() for page in pages))


def test_the_pdf_states_the_name_number_services_and_total(session, board):
    w, own, vid, _other = board
    issued = _issue(session, own, vid)
    data = certificates.certificate_pdf(session=session, actor=own, certificate_id=issued.id)
    reader = PdfReader(io.BytesIO(data))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 portrait
    text = _pdf_text(data)
    assert "\x00" not in text
    for expected in (
        "志愿服务记录证明",
        "张丽",
        issued.number,
        f"{w.community_id:03d}-{vid:06d}",
        "元旦慰问",
        "探访独居老人",
        "社区义诊",
        "垃圾分类宣传",
        "参加志愿服务 4 次，累计服务时长 11 小时",
        "四千米社区居民委员会",
        "王建国",
        "0471-6951234",
        "（盖章）",
        f"/certificate_check?no={issued.number}",
    ):
        assert re.sub(r"\s", "", expected) in text, expected
    for left_out in ("代办年报", "跨年守岁", "清明文明祭扫", "外社区活动", "已有变动"):
        assert left_out not in text


def test_a_reprint_after_the_records_changed_says_so(session, board):
    w, own, vid, _other = board
    issued = _issue(session, w.shuji, vid)
    # hours approved afterwards for a day in the period: the records are not those stated
    late = session.exec(select(Signup).where(Signup.hours_status == HoursStatus.pending)).one()
    late.hours_status = HoursStatus.approved
    session.add(late)
    session.commit()
    text = _pdf_text(
        certificates.certificate_pdf(session=session, actor=own, certificate_id=issued.id)
    )
    assert "已有变动" in text and "开具时载明4次、11小时" in text
    check = certificates.check_certificate(session=session, number=issued.number)
    assert check.status == certificates.CheckStatus.changed


def test_only_those_who_may_issue_print_it(session, board):
    w, _own, vid, _other = board
    issued = _issue(session, w.shuji, vid)
    stranger = make_account(session, "stranger", Role.volunteer, w.community_id)
    with pytest.raises(BoardError):
        certificates.certificate_pdf(session=session, actor=stranger, certificate_id=issued.id)


def test_the_public_check_shows_the_masked_name_and_no_more(session, board):
    w, _own, vid, _other = board
    issued = _issue(session, w.shuji, vid)
    check = certificates.check_certificate(session=session, number=f" {issued.number.lower()} ")
    assert check == certificates.CertificateCheck(
        status=certificates.CheckStatus.valid,
        number=issued.number,
        masked_name="张*",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 12, 6),
        total_hours=11.0,
        community="四千米社区",
        issued_on=local_today(),
    )


def test_an_unknown_number_is_not_found(session, board):
    check = certificates.check_certificate(session=session, number="ZYZM-2026-999999")
    assert check.status == certificates.CheckStatus.not_found
    assert (check.masked_name, check.community, check.period_start) == ("", "", None)


@pytest.mark.parametrize(("name", "masked"), [("张丽", "张*"), ("欧阳娜娜", "欧***"), ("", "")])
def test_names_are_masked_after_the_first_character(name, masked):
    assert access.mask_name(name) == masked


def test_the_list_of_certificates_is_scoped(session, board):
    w, own, vid, other = board
    _issue(session, own, vid)
    assert [
        c.volunteer_name for c in certificates.certificate_list(session=session, actor=w.shuji)
    ] == ["张丽"]
    assert len(certificates.certificate_list(session=session, actor=own, volunteer_id=vid)) == 1
    other_shuji = make_account(session, "qianjin", Role.secretary, w.community_id + 1)
    assert certificates.certificate_list(session=session, actor=other_shuji) == []
    with pytest.raises(BoardError):
        certificates.certificate_list(session=session, actor=own, volunteer_id=other)
