"""The settings of cases the street admin edits: time limits (0-90 days, working or
calendar), departments (deactivated, never deleted), the office's calendar days (a
holiday or a worked weekend day; removed with an audit entry), all refused to others."""

from datetime import date

import pytest
from sqlmodel import func, select

from models.audit import AuditEntry
from models.cases import CalendarDay, CaseCategory, CaseDepartment, CaseLimit
from services import case_settings
from services.case_settings import DEFAULT_LIMITS, Limit
from services.errors import BoardError
from services.working_days import add_working_days


def audits(session, table: str) -> list[str]:
    return list(session.exec(select(AuditEntry.action).where(AuditEntry.table_name == table)).all())


def test_defaults_hold_until_a_limit_is_edited(session, w):
    assert DEFAULT_LIMITS[CaseCategory.complaint] == Limit(13)
    for dispute in ("property_dispute", "neighbour_dispute", "family_dispute"):
        assert DEFAULT_LIMITS[CaseCategory(dispute)] == Limit(30, working_days=False)
    assert DEFAULT_LIMITS[CaseCategory.facilities] == Limit(3)
    assert case_settings.limits(session=session) == DEFAULT_LIMITS
    assert (
        case_settings.limits_set(
            session=session, actor=w.admin, limits={"facilities": Limit(2), "help": Limit(3)}
        )
        == 2
    )
    session.commit()
    assert case_settings.limits(session=session)[CaseCategory.facilities] == Limit(2)
    case_settings.limits_set(
        session=session, actor=w.admin, limits={"facilities": Limit(5, working_days=False)}
    )
    session.commit()
    assert case_settings.limit_of(session, CaseCategory.facilities) == Limit(5, False)
    assert session.exec(select(func.count()).select_from(CaseLimit)).one() == 2
    assert audits(session, "caselimit") == ["create", "create", "update"]


@pytest.mark.parametrize("days", [-1, 91, 2.5, True])
def test_a_limit_out_of_range_is_refused(session, w, days):
    with pytest.raises(BoardError) as err:
        case_settings.limits_set(session=session, actor=w.admin, limits={"help": Limit(days)})
    assert err.value.key == "cases.limit_days_invalid"
    assert session.exec(select(func.count()).select_from(CaseLimit)).one() == 0


def test_only_the_street_admin_edits_settings(session, w):
    for call, kw in [
        (case_settings.limits_set, {"limits": {"help": Limit(1)}}),
        (case_settings.department_create, {"name": "城管"}),
        (case_settings.calendar_day_set, {"day": date(2026, 12, 1), "working": False, "note": "x"}),
    ]:
        with pytest.raises(BoardError) as err:
            call(session=session, actor=w.shuji, **kw)
        assert err.value.key == "access.denied"


def test_departments_are_added_edited_and_deactivated_never_deleted(session, w):
    dept = case_settings.department_create(
        session=session,
        actor=w.admin,
        name=" 城管 执法队 ",
        contact_name="刘队",
        contact_phone="139 1234 5678",
    )
    session.commit()
    with pytest.raises(BoardError) as err:
        case_settings.department_create(session=session, actor=w.admin, name="城管 执法队")
    assert err.value.key == "cases.department_exists"
    with pytest.raises(BoardError) as err:
        case_settings.department_create(
            session=session, actor=w.admin, name="供水", contact_phone="123"
        )
    assert err.value.key == "volunteers.phone_invalid"
    session.rollback()
    case_settings.department_update(
        session=session,
        actor=w.admin,
        department_id=dept,
        name="城管执法队",
        contact_name="刘队",
        contact_phone="13912345678",
        active=False,
    )
    session.commit()
    rows = case_settings.department_list(session=session)
    assert [(r.name, r.contact_phone, r.active) for r in rows] == [
        ("城管执法队", "13912345678", False)
    ]
    assert case_settings.department_list(session=session, active_only=True) == []
    assert session.exec(select(func.count()).select_from(CaseDepartment)).one() == 1


def test_calendar_days_change_the_working_days_and_are_removed_with_an_audit(session, w):
    friday = date(2026, 11, 20)
    assert add_working_days(friday, 1, case_settings.calendar_overrides(session)) == date(
        2026, 11, 23
    )
    case_settings.calendar_day_set(
        session=session, actor=w.admin, day=date(2026, 11, 23), working=False, note="区里放假"
    )
    case_settings.calendar_day_set(
        session=session, actor=w.admin, day=date(2026, 11, 21), working=True, note="周六上班"
    )
    session.commit()
    overrides = case_settings.calendar_overrides(session)
    assert add_working_days(friday, 1, overrides) == date(2026, 11, 21)
    assert add_working_days(friday, 2, overrides) == date(2026, 11, 24)
    with pytest.raises(BoardError) as err:
        case_settings.calendar_day_set(
            session=session, actor=w.admin, day=date(2026, 11, 25), working=False, note=" "
        )
    assert err.value.key == "cases.calendar_note_required"
    case_settings.calendar_day_remove(session=session, actor=w.admin, day=date(2026, 11, 23))
    session.commit()
    assert [d.day for d in case_settings.calendar_day_list(session=session)] == [date(2026, 11, 21)]
    assert session.get(CalendarDay, date(2026, 11, 23)) is None
    assert audits(session, "calendarday") == ["create", "create", "delete"]


def test_existing_callers_of_working_days_are_unchanged():
    assert add_working_days(date(2026, 11, 20), 5) == date(2026, 11, 27)
