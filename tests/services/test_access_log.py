"""The access log (访问日志): each view of a full record, each print of a certificate and
each export of personal data is one entry with who, what and from which page; another
community's record is refused and nothing is logged; the admin's search; the prune after
the street's months; a logged view leaves the pages' other cached reads cached."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlmodel import Session, col, select

from models.accounts import Role
from models.base import LOCAL_TZ
from models.elders import Elder
from models.events import Registration
from models.org import Street
from models.privacy import AccessKind, AccessLogEntry
from models.volunteers import HoursSource, HoursStatus, Signup, SignupStatus, Task, TaskKind
from services import access_log, certificates, db, elders, org, register_exports
from services.access import Actor
from services.errors import BoardError
from tests import factories
from tests.conftest import make_account
from tests.services.event_setup import make_event, register
from ui import actions

TODAY = date(2026, 11, 24)
calls: list[str] = []


@pytest.fixture
def two(session):
    """四千米社区 (secretary, admin, a grid worker, a volunteer account, an elder, a
    volunteer, a merchant) and 大召社区 with its own secretary and merchant."""
    a = factories.proxy_world(session)  # 大召社区 with the merchant 老绥元烧卖馆
    b = factories.world(session, "四千米社区")
    elder = Elder(
        name="张桂兰",
        birth_date=date(1938, 3, 1),
        address="四千米社区3号楼",
        community_id=b.community_id,
        registered_on=date(2025, 1, 1),
    )
    session.add(elder)
    session.commit()
    vid = factories.volunteer(session, b.community_id, "王芳")
    return a, b, elder.id, vid


def entries(session: Session) -> list[AccessLogEntry]:
    session.commit()  # a new snapshot: the writes were made in other sessions
    return list(session.exec(select(AccessLogEntry).order_by(AccessLogEntry.id)))


def view(actor: Actor, record_type: str, record_id: int, page: str) -> None:
    with db.transaction() as s:
        access_log.record_view(
            session=s, actor=actor, record_type=record_type, record_id=record_id, page=page
        )


# --- views -----------------------------------------------------------------------------------


def test_each_kind_of_full_record_viewed_is_one_entry(session, two):
    a, b, elder_id, vid = two
    view(b.shuji, "elder", elder_id, "elders")
    view(b.shuji, "volunteer", vid, "volunteers")
    view(a.shuji, "merchant", a.merchant, "merchants")
    got = [
        (e.account_id, e.role, e.kind, e.record_type, e.record_id, e.community_id, e.page)
        for e in entries(session)
    ]
    assert got == [
        (b.shuji.id, "secretary", "view", "elder", elder_id, b.community_id, "elders"),
        (b.shuji.id, "secretary", "view", "volunteer", vid, b.community_id, "volunteers"),
        (a.shuji.id, "secretary", "view", "merchant", a.merchant, a.community_id, "merchants"),
    ]
    assert all(e.at > datetime.now(UTC) - timedelta(minutes=1) for e in entries(session))


def test_another_communitys_record_is_refused_and_nothing_is_logged(session, two):
    a, b, elder_id, vid = two
    for record_type, rid in (("elder", elder_id), ("volunteer", vid)):
        with pytest.raises(BoardError) as err:
            view(a.shuji, record_type, rid, "elders")
        assert err.value.key == "access.other_community"
    with pytest.raises(BoardError):
        view(b.shuji, "merchant", a.merchant, "merchants")
    with pytest.raises(BoardError) as err:
        view(b.shuji, "elder", 999_999, "elders")
    assert err.value.key == "common.not_found"
    with pytest.raises(BoardError) as err:
        view(b.shuji, "account", b.shuji.id, "accounts")
    assert err.value.key == "access_log.unknown_record"
    assert entries(session) == []
    # the street admin views every community's records
    view(b.admin, "merchant", a.merchant, "merchants")
    assert [(e.role, e.community_id) for e in entries(session)] == [("admin", a.community_id)]


def test_the_meeting_screen_views_no_record(session, two):
    _a, b, elder_id, _vid = two
    display = make_account(session, "huiyi", Role.display, b.community_id)
    with pytest.raises(BoardError):
        view(display, "elder", elder_id, "meeting")
    assert entries(session) == []


# --- prints and exports ----------------------------------------------------------------------


def _certificate(session: Session, b, vid: int) -> int:
    org.community_set_contact(
        session=session,
        actor=b.shuji,
        community_id=b.community_id,
        person_in_charge="王建国",
        office_phone="0471 6951234",
    )
    starts = datetime.combine(date(2026, 3, 1), time(9), LOCAL_TZ)
    task = Task(
        title="探访独居老人",
        kind=TaskKind.elder_visit,
        community_id=b.community_id,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        capacity=5,
    )
    session.add(task)
    session.flush()
    session.add(
        Signup(
            task_id=task.id,
            volunteer_id=vid,
            status=SignupStatus.attended,
            hours=2,
            hours_status=HoursStatus.approved,
            hours_source=HoursSource.check,
        )
    )
    session.commit()
    cert = certificates.issue_certificate(
        session=session,
        actor=b.shuji,
        volunteer_id=vid,
        period_start=date(2026, 1, 1),
        period_end=TODAY,
        today=TODAY,
    )
    session.commit()
    return cert.id


def test_printing_a_certificate_is_one_entry_with_the_page_it_was_printed_from(session, two):
    _a, b, _elder_id, _vid = two
    own = make_account(session, "wangfang", Role.volunteer, b.community_id)
    vid = factories.volunteer(session, b.community_id, "李红", account=own)
    cert_id = _certificate(session, b, vid)
    for actor in (b.shuji, own):
        with db.transaction() as s:
            pdf = certificates.certificate_print(session=s, actor=actor, certificate_id=cert_id)
        assert pdf.startswith(b"%PDF")
    got = [(e.account_id, e.kind, e.record_type, e.record_id, e.page) for e in entries(session)]
    assert got == [
        (b.shuji.id, "print", "volunteer", vid, "certificates"),
        (own.id, "print", "volunteer", vid, "my_tasks"),
    ]
    number = session.get(certificates.ServiceCertificate, cert_id).number
    assert json.loads(entries(session)[0].detail) == {"certificate": number}


def test_a_refused_print_logs_nothing(session, two):
    a, b, _elder_id, vid = two
    cert_id = _certificate(session, b, vid)
    with pytest.raises(BoardError), db.transaction() as s:
        certificates.certificate_print(session=s, actor=a.shuji, certificate_id=cert_id)
    assert entries(session) == []


def test_exporting_a_register_of_people_is_one_entry(session, two):
    _a, b, _elder_id, _vid = two
    with db.transaction() as s:
        register_exports.register_export(
            session=s,
            actor=b.shuji,
            register="volunteers",
            lang="zh_CN",
            today=TODAY,
            filters={"search": "王"},
        )
    (entry,) = entries(session)
    assert (entry.account_id, entry.kind, entry.record_type, entry.page) == (
        b.shuji.id,
        "export",
        "register",
        "volunteers",
    )
    detail = json.loads(entry.detail)
    assert detail["rows"] == 1 and detail["register"] == "volunteers"


def test_a_long_detail_is_cut_to_fit_never_refused(session, two):
    _a, b, _elder_id, _vid = two
    with db.transaction() as s:
        access_log.log_access(
            s,
            actor=b.shuji,
            kind=AccessKind.export,
            record_type="register",
            record_id=None,
            community_id=b.community_id,
            page="volunteers",
            detail={"filters": {"search": "王" * 5000 + "\x7f"}, "rows": 3},
        )
    (entry,) = entries(session)
    assert len(entry.detail) <= 2000 and json.loads(entry.detail)["rows"] == 3


# --- the admin's search ---------------------------------------------------------------------


def _entry(session: Session, actor: Actor, at: datetime, kind: str, record_type: str, rid, cid):
    access_log.log_access(
        session,
        actor=actor,
        kind=AccessKind(kind),
        record_type=record_type,
        record_id=rid,
        community_id=cid,
        page="volunteers",
        detail={
            "rows": 42,
            "file": "志愿者名册_四千米社区_2026-11-20.xlsx",
            "register": "volunteers",
        }
        if record_type == "register"
        else None,
    )
    session.flush()
    session.exec(select(AccessLogEntry).order_by(col(AccessLogEntry.id).desc())).first().at = at


def local_at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), LOCAL_TZ)


@pytest.fixture
def logged(session, two):
    """Five entries on known days: the secretary of 四千米 viewed the elder and the
    volunteer and exported the register, 大召's secretary viewed the merchant, and a
    registrant's record was exported by the admin."""
    a, b, elder_id, vid = two
    eid = make_event(session, b)
    reg = register(session, eid, "13900001111", name="赵敏")
    reg_id = session.exec(select(Registration.id).where(Registration.name == "赵敏")).one()
    assert reg is not None
    _entry(session, b.shuji, local_at(date(2026, 11, 1)), "view", "elder", elder_id, b.community_id)
    _entry(session, b.shuji, local_at(date(2026, 11, 10)), "view", "volunteer", vid, b.community_id)
    _entry(
        session, b.shuji, local_at(date(2026, 11, 20)), "export", "register", None, b.community_id
    )
    _entry(
        session,
        a.shuji,
        local_at(date(2026, 11, 21)),
        "view",
        "merchant",
        a.merchant,
        a.community_id,
    )
    _entry(
        session,
        b.admin,
        local_at(date(2026, 11, 22), 0),
        "export",
        "registration",
        reg_id,
        b.community_id,
    )
    session.commit()
    return a, b


def search(admin: Actor, lang: str = "zh_CN", **filters):
    filters = {"start": date(2026, 11, 1), "end": date(2026, 11, 30)} | filters
    with db.read_session() as s:
        return access_log.access_log_search(session=s, actor=admin, lang=lang, **filters)


def test_the_search_shows_every_entry_newest_first_in_words(logged):
    a, b = logged
    found = search(b.admin)
    assert not found.more
    assert [(x.who, x.role, x.kind, x.record, x.community) for x in found.lines] == [
        (b.admin.display_name, "街道管理员", "导出", "活动报名 · 赵敏", "四千米社区"),
        (a.shuji.display_name, "社区书记", "查看", "商户 · 老绥元烧卖馆", "大召社区"),
        (b.shuji.display_name, "社区书记", "导出", "名册 · 志愿者名册", "四千米社区"),
        (b.shuji.display_name, "社区书记", "查看", "志愿者 · 王芳", "四千米社区"),
        (b.shuji.display_name, "社区书记", "查看", "老人 · 张桂兰", "四千米社区"),
    ]
    export = found.lines[2]
    assert export.detail == "42 行 · 志愿者名册_四千米社区_2026-11-20.xlsx"
    assert export.page == "志愿者"
    assert found.lines[0].at.strftime("%Y-%m-%d %H:%M") == "2026-11-22 00:00"  # local
    english = search(b.admin, "en")
    assert english.lines[1].kind == "Viewed" and english.lines[1].record.startswith("Merchant · ")


def test_the_search_filters_by_who_record_name_days_and_kind(logged):
    a, b = logged

    def records(**filters) -> list[str]:
        return [x.record for x in search(b.admin, **filters).lines]

    assert records(account_id=a.shuji.id) == ["商户 · 老绥元烧卖馆"]
    assert records(record_type="volunteer") == ["志愿者 · 王芳"]
    assert records(name="桂兰") == ["老人 · 张桂兰"]
    assert records(name="王") == ["商户 · 老绥元烧卖馆", "志愿者 · 王芳"]  # owner 王老板
    assert records(name="王", record_type="volunteer") == ["志愿者 · 王芳"]
    assert records(name="赵敏") == ["活动报名 · 赵敏"]
    assert records(name="%") == []  # typed text, not a pattern
    assert records(start=date(2026, 11, 10), end=date(2026, 11, 20)) == [
        "名册 · 志愿者名册",
        "志愿者 · 王芳",
    ]
    # the last day is whole in local time: 00:00 on the 22nd is in the 22nd
    assert records(start=date(2026, 11, 22), end=date(2026, 11, 22)) == ["活动报名 · 赵敏"]
    assert records(kind=AccessKind.export) == ["活动报名 · 赵敏", "名册 · 志愿者名册"]
    assert len(search(b.admin, limit=2).lines) == 2 and search(b.admin, limit=2).more


def test_only_the_street_admin_searches_the_log(logged):
    a, b = logged
    with pytest.raises(BoardError):
        search(b.shuji)
    with db.read_session() as s:
        viewers = access_log.access_log_viewers(session=s, actor=b.admin)
        with pytest.raises(BoardError):
            access_log.access_log_viewers(session=s, actor=b.shuji)
    assert {v.id for v in viewers} == {a.shuji.id, b.shuji.id, b.admin.id}


# --- the prune ------------------------------------------------------------------------------


def test_prune_keeps_the_streets_months_and_removes_what_is_older(session, two):
    _a, b, elder_id, _vid = two
    session.add(Street(name="大学西路街道", district="赛罕区", access_log_months=6))
    session.commit()
    today = date(2026, 8, 31)
    days = [date(2026, 2, 27), date(2026, 2, 28), date(2026, 3, 1), date(2026, 8, 30)]
    for day in days:
        _entry(session, b.shuji, local_at(day, 0), "view", "elder", elder_id, b.community_id)
    # the last moment before the first kept day (local midnight of 28 Feb)
    _entry(
        session,
        b.shuji,
        local_at(date(2026, 2, 28), 0) - timedelta(seconds=1),
        "view",
        "elder",
        elder_id,
        b.community_id,
    )
    session.commit()
    with db.transaction() as s:
        assert access_log.prune_before(session=s, today=today) == date(2026, 2, 28)
        assert access_log.prune(s, today=today) == 2
    kept = sorted(e.at.astimezone(LOCAL_TZ).date() for e in entries(session))
    assert kept == days[1:]
    # twelve months set on the retention page: nothing more goes
    street = session.exec(select(Street)).one()
    street.access_log_months = 12
    session.commit()
    with db.transaction() as s:
        assert access_log.prune(s, today=today) == 0
    assert len(entries(session)) == 3


def test_without_a_street_row_six_months_are_kept(session):
    with db.read_session() as s:
        assert access_log.kept_months(session=s) == 6
        assert access_log.prune_before(session=s, today=date(2026, 5, 31)) == date(2025, 11, 30)


# --- the cache ------------------------------------------------------------------------------


def elders_listed(*, session: Session, actor: Actor, today: date) -> int:
    """The elders page's registry, counted (read() resolves it by its module path)."""
    calls.append(actor.username)
    return len(elders.elder_registry(session=session, actor=actor, today=today))


def test_a_logged_view_leaves_the_elders_page_read_cached(session, two):
    _a, b, elder_id, _vid = two
    actions.clear_reads()
    calls.clear()
    assert actions.read(elders_listed, actor=b.shuji, today=TODAY) == 1
    assert actions.read(elders_listed, actor=b.shuji, today=TODAY) == 1
    runs = len(calls)
    view(b.shuji, "elder", elder_id, "elders")
    assert actions.read(elders_listed, actor=b.shuji, today=TODAY) == 1
    assert len(calls) == runs, "a logged view made the elders' read run again"
    # while a write to the elders does
    with db.transaction() as s:
        s.get(Elder, elder_id).address = "四千米社区4号楼"
    actions.read(elders_listed, actor=b.shuji, today=TODAY)
    assert len(calls) == runs + 1
    actions.clear_reads()
