"""Retention of personal data (services/retention.py) on a data set with known dates:
the dry run lists exactly the records due and changes nothing; the run changes exactly
those (and their audit entries), keeps every figure, and a second run changes nothing;
live events still look up and check in by code. Also the street's periods, the privacy
notice's facts, and who a registration made from a signed-in browser names."""

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import pytest
from sqlmodel import Session, select

from models.accounts import Role
from models.audit import AuditEntry
from models.base import LOCAL_TZ, local_today
from models.elders import Elder, Visit
from models.events import Event, Registration
from models.org import Community, Street
from models.privacy import AccessKind, AccessLogEntry, CorrectionRequest, CorrectionStatus
from models.volunteers import Volunteer
from services import (
    access_log,
    dashboard,
    elders,
    registrations,
    retention,
    visits,
    volunteers,
)
from services.errors import BoardError
from services.org import street_row
from services.periods import PeriodKind, period_containing
from services.visit_content import Checklist, VisitContent
from tests.conftest import make_account
from tests.services.event_setup import make_event, register

TODAY = local_today()


def days_ago(n: int) -> date:
    return TODAY - timedelta(days=n)


def years_ago(n: int) -> date:
    return retention._years_before(TODAY, n)


def local_dt(day: date, hour: int = 20) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=LOCAL_TZ)


@dataclass
class DataSet:
    due_elder: int
    kept_elders: list[int]  # active; deactivated exactly three years ago
    undated_elder: int
    due_volunteer: int
    kept_volunteers: list[int]  # deactivated lately; deactivated long ago but back since
    past_event: int  # ended 31 days ago: its phones are masked
    recent_event: int  # ended 30 days ago: not yet
    live_event: int
    live_code: str
    access_old: int
    access_recent: int


def _elder(session, w, name, phone, *, visitor_ids=()):
    return elders.elder_create(
        session=session,
        actor=w.shuji,
        name=name,
        birth_date=date(1940, 5, 20),
        address="大学西路12号3单元401",
        community_id=w.community_id,
        today=years_ago(6),
        phone=phone,
        situations=["独居"],
        care_level=2,
        health_notes="高血压，每天服药",
        guardian_name="王小明",
        guardian_phone="13912345678",
        visitor_ids=visitor_ids,
    )


def _visit(session, actor, elder_id, on, note="一切都好"):
    return visits.visit_record(
        session=session,
        actor=actor,
        elder_id=elder_id,
        visited_on=on,
        mode="上门",
        today=on,
        content=VisitContent(health=Checklist(("unwell",), note)),
        follow_up="下周再去看看",
    )


def _deactivate_volunteer(session, w, volunteer_id, on: date, active=False):
    """Left (or came back) on that local day."""
    volunteers.volunteer_set_active(
        session=session, actor=w.shuji, volunteer_id=volunteer_id, active=active, now=local_dt(on)
    )
    session.flush()


def _move_event(session, event_id, ended_on: date):
    event = session.get(Event, event_id)
    event.starts_at = local_dt(ended_on, 18)
    event.ends_at = local_dt(ended_on, 20)
    session.add(event)


def _access(session, actor, at: datetime) -> int:
    row = AccessLogEntry(
        account_id=actor.id,
        role=actor.role.value,
        kind=AccessKind.view,
        record_type="elder",
        record_id=1,
        at=at,
    )
    session.add(row)
    session.flush()
    return row.id


def build(session, w) -> DataSet:
    """Dates relative to today, with the defaults: three years, 30 days, six months."""
    street_row(session)
    grid_worker = make_account(session, "wangge1", Role.grid_worker, w.community_id)
    zhiyuan = make_account(session, "zhiyuan1", Role.volunteer, w.community_id)
    active = _elder(session, w, "张桂兰", "13800000001")
    due = _elder(session, w, "李秀英", "13800000002", visitor_ids=[zhiyuan.id])
    edge = _elder(session, w, "王淑珍", "13800000003")
    undated = _elder(session, w, "刘玉梅", "13800000004")
    for elder_id in (active, due, edge):
        _visit(session, grid_worker, elder_id, years_ago(5))
    _visit(session, zhiyuan, due, years_ago(4), note="腿疼，女儿在外地")
    elders.elder_deactivate(
        session=session,
        actor=w.shuji,
        elder_id=due,
        reason="搬去女儿家",
        today=years_ago(3) - timedelta(days=1),
    )
    elders.elder_deactivate(
        session=session, actor=w.shuji, elder_id=edge, reason="去世", today=years_ago(3)
    )
    session.get(Elder, undated).active = False  # an old import: no day recorded

    def volunteer(name, phone, account=None):
        return volunteers.volunteer_create(
            session=session,
            actor=w.shuji,
            name=name,
            phone=phone,
            community_id=w.community_id,
            joined_on=years_ago(8),
            note="周末有空",
            account_id=account,
        )

    due_v = volunteer("赵志强", "13700000001", zhiyuan.id)
    recent_v = volunteer("孙丽", "13700000002")
    back_v = volunteer("周杰", "13700000003")
    undated_v = volunteer("吴敏", "13700000004")
    _deactivate_volunteer(session, w, due_v, years_ago(3) - timedelta(days=1))
    _deactivate_volunteer(session, w, recent_v, days_ago(400))
    _deactivate_volunteer(session, w, back_v, years_ago(5))
    _deactivate_volunteer(session, w, back_v, years_ago(2), active=True)
    _deactivate_volunteer(session, w, back_v, days_ago(10))
    session.get(Volunteer, undated_v).active = False
    session.commit()

    past = make_event(session, w, title="中秋游园")
    register(session, past, "13600000001", name="郑芳")
    gone = register(session, past, "13600000002", name="钱伟")
    registrations.registration_cancel(session=session, code=gone.code, phone="13600000002")
    recent = make_event(session, w, title="剪纸课")
    register(session, recent, "13600000003", name="冯强")
    live = make_event(session, w, title="元旦联欢", starts_in=timedelta(hours=1))
    live_code = register(session, live, "13600000004", name="陈静").code
    session.commit()
    _move_event(session, past, days_ago(31))
    _move_event(session, recent, days_ago(30))
    old = _access(session, w.shuji, local_dt(retention._years_before(TODAY, 1)))
    fresh = _access(session, w.shuji, local_dt(days_ago(30)))
    session.commit()
    return DataSet(
        due, [active, edge], undated, due_v, [recent_v, back_v], past, recent, live, live_code,
        old, fresh,
    )  # fmt: skip


@pytest.fixture
def data(session, w) -> DataSet:
    return build(session, w)


def snapshot(session: Session) -> dict:
    """Every row the rules could touch, as plain values."""
    session.expire_all()
    return {
        model.__name__: sorted(
            (row.model_dump() for row in session.exec(select(model))), key=lambda r: r["id"]
        )
        for model in (Elder, Visit, Volunteer, Registration, AccessLogEntry, AuditEntry)
    }


def figures(session: Session, community_id: int) -> list:
    out = []
    for kind, day in ((PeriodKind.year, TODAY), (PeriodKind.year, years_ago(4))):
        period = period_containing(kind, day)
        out += dashboard.key_figures(
            session=session, community_ids=[community_id], period=period, today=TODAY
        )
    return [(f.key, f.value, f.previous) for f in out]


def test_the_dry_run_lists_exactly_the_records_due_and_changes_nothing(session, w, data):
    before = snapshot(session)
    report = retention.retention_report(session=session, today=TODAY)
    assert [(p.id, p.name, p.since) for p in report.elders] == [
        (data.due_elder, "李**", years_ago(3) - timedelta(days=1))
    ]
    assert [(p.id, p.name, p.since) for p in report.volunteers] == [
        (data.due_volunteer, "赵**", years_ago(3) - timedelta(days=1))
    ]
    past = session.get(Event, data.past_event)
    assert [(e.event_id, e.title, e.ended_on, len(e.registration_ids)) for e in report.events] == [
        (past.id, "中秋游园", days_ago(31), 2)  # the cancelled registration's phone too
    ]
    assert report.access_log_entries == 1
    assert report.undated == 2  # an elder and a volunteer without a day of deactivation
    assert report.cutoffs.people == years_ago(3)
    assert snapshot(session) == before


def test_the_run_changes_exactly_those_keeps_the_figures_and_a_second_run_nothing(session, w, data):
    before_figures = figures(session, w.community_id)
    before = snapshot(session)
    done = retention.apply_retention(session=session, actor=w.admin, today=TODAY)
    session.commit()
    assert (done.elders, done.volunteers, done.registrations, done.access_log_entries) == (
        1,
        1,
        2,
        1,
    )
    after = snapshot(session)

    def changed(model: str) -> dict[int, dict]:
        old = {r["id"]: r for r in before[model]}
        return {
            r["id"]: {k: v for k, v in r.items() if old[r["id"]][k] != v}
            for r in after[model]
            if r["id"] in old and r != old[r["id"]]
        }

    label = f"已匿名#{data.due_elder}"
    assert changed("Elder") == {
        data.due_elder: {
            "name": label,
            "phone": "",
            "address": "",
            "health_notes": "",
            "guardian_name": "",
            "guardian_phone": "",
            "deactivated_reason": "",
            "birth_date": date(1940, 1, 1),
            "anonymised_on": TODAY,
        }
    }
    visit_changes = changed("Visit")
    due_visits = session.exec(select(Visit).where(Visit.elder_id == data.due_elder)).all()
    assert set(visit_changes) == {v.id for v in due_visits}  # the elder's visits only
    for visit in due_visits:
        assert (visit.health_note, visit.follow_up) == ("", "")
        assert visit.health == "unwell"  # the ticked items stay, for the figures
    # the visit the volunteer made carries the label in place of their name
    assert {v.visitor_name for v in due_visits} >= {f"已匿名#{data.due_volunteer}"}
    assert changed("Volunteer") == {
        data.due_volunteer: {
            "name": f"已匿名#{data.due_volunteer}",
            "phone": "",
            "note": "",
            "anonymised_on": TODAY,
        }
    }
    masked = changed("Registration")
    assert {r["phone"] for r in masked.values()} == {"136****0001", "136****0002"}
    assert {r["phone_masked_on"] for r in masked.values()} == {TODAY}
    assert {session.get(Registration, i).event_id for i in masked} == {data.past_event}
    assert [r["id"] for r in after["AccessLogEntry"]] == [data.access_recent]
    # nothing the board removed is left in the audit trail; the run is there, with counts
    trail = json.dumps(after["AuditEntry"], ensure_ascii=False, default=str)
    for gone in ("李秀英", "13800000002", "搬去女儿家", "腿疼", "赵志强", "13700000001",
                 "13600000001", "13600000002"):  # fmt: skip
        assert gone not in trail, gone
    for kept in ("张桂兰", "13800000001", "孙丽", "13600000003"):
        assert kept in trail, kept
    run = session.exec(select(AuditEntry).where(AuditEntry.action == "retention")).one()
    assert run.account_id == w.admin.id
    assert json.loads(run.changes)["elders_anonymised"] == 1

    assert figures(session, w.community_id) == before_figures
    again = retention.apply_retention(session=session, actor=None, today=TODAY)
    session.commit()
    assert (again.elders, again.volunteers, again.registrations, again.access_log_entries) == (
        0,
        0,
        0,
        0,
    )
    assert retention.retention_report(session=session, today=TODAY).nothing_due
    assert snapshot(session)["Elder"] == after["Elder"]


def test_what_a_volunteer_asked_to_have_corrected_goes_with_them(session, w, data):
    session.add(
        CorrectionRequest(
            volunteer_id=data.due_volunteer,
            community_id=w.community_id,
            field="phone",
            current_value="13700000001",
            requested="13700009999",
            resolution="已更正",
            status=CorrectionStatus.done,
        )
    )
    session.commit()
    retention.apply_retention(session=session, actor=w.admin, today=TODAY)
    session.commit()
    request = session.exec(select(CorrectionRequest)).one()
    assert (request.field, request.current_value, request.requested, request.resolution) == (
        "phone",
        "",
        "",
        "",
    )


def test_a_volunteer_keeps_the_day_they_left_and_loses_it_on_coming_back(session, w, data):
    back = session.get(Volunteer, data.kept_volunteers[1])
    assert back.deactivated_on == days_ago(10)
    volunteers.volunteer_set_active(
        session=session, actor=w.shuji, volunteer_id=back.id, active=True
    )
    assert back.deactivated_on is None


def test_live_events_still_look_up_and_check_in_by_code(session, w, data):
    retention.apply_retention(session=session, actor=w.admin, today=TODAY)
    session.commit()
    view = registrations.registration_lookup(
        session=session, code=data.live_code, phone="13600000004"
    )
    assert view.status == "confirmed"
    name = registrations.registration_check_in(
        session=session, actor=w.shuji, event_id=data.live_event, code=data.live_code
    )
    assert name == "陈静"


def test_only_the_street_admin_runs_it(session, w, data):
    with pytest.raises(BoardError):
        retention.apply_retention(session=session, actor=w.shuji, today=TODAY)
    session.rollback()
    assert session.get(Elder, data.due_elder).anonymised_on is None


def test_the_periods_are_set_within_their_bounds_and_refused_outside(session, w):
    street_row(session)
    session.commit()
    for bad in (
        {"access_log_months": 5},
        {"access_log_months": 121},
        {"inactive_retention_years": 0},
        {"registrant_phone_days": 366},
        {"registrant_phone_days": 2.5},
    ):
        values = {
            "access_log_months": 6,
            "inactive_retention_years": 3,
            "registrant_phone_days": 30,
        } | bad
        with pytest.raises(BoardError) as refused:
            retention.retention_settings_set(session=session, actor=w.admin, **values)
        assert refused.value.key == f"retention.bounds.{next(iter(bad))}"
        session.rollback()
    with pytest.raises(BoardError):
        retention.retention_settings_set(
            session=session,
            actor=w.shuji,
            access_log_months=12,
            inactive_retention_years=5,
            registrant_phone_days=60,
        )
    session.rollback()
    assert retention.retention_settings(session=session) == retention.RetentionSettings(6, 3, 30)
    retention.retention_settings_set(
        session=session,
        actor=w.admin,
        access_log_months=12,
        inactive_retention_years=5,
        registrant_phone_days=60,
    )
    session.commit()
    assert retention.retention_settings(session=session) == retention.RetentionSettings(12, 5, 60)
    assert access_log.kept_months(session=session) == 12


def test_the_notice_states_the_periods_and_each_offices_contact(session, w):
    row = session.get(Community, w.community_id)
    row.person_in_charge, row.office_phone = "王主任", "0471-6661234"
    street = street_row(session)
    street.name, street.registrant_phone_days = "大学西路街道", 45
    session.add_all([row, street])
    session.commit()
    facts = retention.privacy_notice(session=session)
    assert facts.street == "大学西路街道"
    assert facts.settings.registrant_phone_days == 45
    assert [(c.community, c.person_in_charge, c.office_phone) for c in facts.contacts] == [
        ("四千米社区", "王主任", "0471-6661234")
    ]
    assert session.exec(select(Street)).one().inactive_retention_years == 3


def test_a_registration_from_a_signed_in_browser_names_who_made_it(session, w):
    event_id = make_event(session, w)
    public = register(session, event_id, "13500000001")
    by_staff = register(session, event_id, "13500000002", actor=w.shuji)
    session.commit()
    rows = {r.code: r for r in session.exec(select(Registration))}
    assert rows[public.code].registered_by is None
    assert rows[by_staff.code].registered_by == w.shuji.id
    entries = {
        e.row_id: e.account_id
        for e in session.exec(select(AuditEntry).where(AuditEntry.action == "register"))
    }
    assert entries == {rows[public.code].id: None, rows[by_staff.code].id: w.shuji.id}
