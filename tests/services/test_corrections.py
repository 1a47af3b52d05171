"""A volunteer's correction requests: one open request per item, resolved by the staff of
their community as done (the value written into the record for a name, phone or skills)
or declined with a reason; every step audited."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from sqlmodel import Session, select

from models.accounts import Role
from models.audit import AuditEntry
from models.privacy import CorrectionRequest, CorrectionStatus
from models.volunteers import Volunteer
from services import corrections
from services.access import Actor
from services.errors import BoardError
from tests.conftest import make_account
from tests.factories import World, volunteer, world


@dataclass
class Setup:
    w: World
    me: Actor  # the volunteer's account
    vid: int


@pytest.fixture
def s(session: Session) -> Setup:
    w = world(session)
    me = make_account(session, "zhiyuan", Role.volunteer, w.community_id)
    return Setup(w, me, volunteer(session, w.community_id, "张志愿", account=me))


def _ask(session: Session, actor: Actor, field: str, requested: str) -> int:
    rid = corrections.correction_create(
        session=session, actor=actor, field=field, requested=requested
    )
    session.commit()
    return rid


def _refused(session: Session, key: str, fn, **kwargs) -> None:
    with pytest.raises(BoardError) as err:
        fn(session=session, **kwargs)
    session.rollback()
    assert err.value.key == key


def test_a_phone_correction_is_applied_to_the_record_and_audited(session, s):
    old_phone = session.get(Volunteer, s.vid).phone
    rid = _ask(session, s.me, "phone", " 13912345678 ")
    row = session.get(CorrectionRequest, rid)
    assert (row.volunteer_id, row.community_id, row.field) == (s.vid, s.w.community_id, "phone")
    assert (row.current_value, row.requested, row.status) == (
        old_phone,
        "13912345678",
        CorrectionStatus.open,
    )
    assert row.created_by == s.me.id

    corrections.correction_resolve(
        session=session,
        actor=s.w.shuji,
        correction_id=rid,
        done=True,
        apply_value="13912345678",
    )
    session.commit()
    session.refresh(row)
    assert session.get(Volunteer, s.vid).phone == "13912345678"
    assert (row.status, row.resolved_by) == (CorrectionStatus.done, s.w.shuji.id)
    assert row.resolved_at is not None
    trail = session.exec(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [(e.table_name, e.action, e.account_id) for e in trail] == [
        ("correctionrequest", "create", s.me.id),
        ("volunteer", "update", s.w.shuji.id),
        ("correctionrequest", "update", s.w.shuji.id),
    ]
    assert json.loads(trail[1].changes) == {"phone": [old_phone, "13912345678"]}


def test_declining_needs_a_reason_the_volunteer_then_reads(session, s):
    rid = _ask(session, s.me, "hours", "11月3日的探访少记了1小时")
    _refused(
        session,
        "corrections.reason_required",
        corrections.correction_resolve,
        actor=s.w.shuji,
        correction_id=rid,
        done=False,
        resolution="  ",
    )
    assert session.get(CorrectionRequest, rid).status == CorrectionStatus.open
    corrections.correction_resolve(
        session=session,
        actor=s.w.shuji,
        correction_id=rid,
        done=False,
        resolution="签到记录为2小时，与名单一致",
    )
    session.commit()
    [line] = corrections.corrections_of_volunteer(session, s.vid)
    assert (line.status, line.resolution, line.resolved_by) == (
        "declined",
        "签到记录为2小时，与名单一致",
        s.w.shuji.username,
    )
    _refused(
        session,
        "corrections.already_resolved",
        corrections.correction_resolve,
        actor=s.w.shuji,
        correction_id=rid,
        done=True,
    )


def test_staff_of_another_community_are_refused(session, s):
    rid = _ask(session, s.me, "name", "张志远")
    other = world(session, "前进社区")
    for actor in (other.shuji, s.me):
        with pytest.raises(BoardError):
            corrections.correction_resolve(
                session=session, actor=actor, correction_id=rid, done=True
            )
        session.rollback()
    assert corrections.correction_list(session=session, actor=other.shuji) == []
    assert [c.id for c in corrections.correction_list(session=session, actor=s.w.shuji)] == [rid]
    assert [c.id for c in corrections.correction_list(session=session, actor=other.admin)] == [rid]
    _refused(session, "access.denied", corrections.correction_list, actor=s.me)
    assert session.get(CorrectionRequest, rid).status == CorrectionStatus.open


def test_one_open_request_per_item(session, s):
    first = _ask(session, s.me, "phone", "13912345678")
    _refused(
        session,
        "corrections.already_open",
        corrections.correction_create,
        actor=s.me,
        field="phone",
        requested="13700000000",
    )
    _ask(session, s.me, "name", "张志远")  # another item is fine
    corrections.correction_resolve(
        session=session, actor=s.w.shuji, correction_id=first, done=True, resolution="已改"
    )
    session.commit()
    _ask(session, s.me, "phone", "13700000000")  # the first one is answered
    assert len(session.exec(select(CorrectionRequest)).all()) == 3


def test_skills_are_asked_and_applied_by_code(session, s):
    _refused(
        session,
        "volunteers.skill_unknown",
        corrections.correction_create,
        actor=s.me,
        field="skills",
        requested="first_aid,juggling",
    )
    rid = _ask(session, s.me, "skills", "teaching,first_aid")
    assert session.get(CorrectionRequest, rid).requested == "first_aid,teaching"
    corrections.correction_resolve(
        session=session, actor=s.w.admin, correction_id=rid, done=True, apply_value="first_aid"
    )
    session.commit()
    assert session.get(Volunteer, s.vid).skills == "first_aid"


def test_a_bad_value_or_an_item_that_cannot_be_applied_writes_nothing(session, s):
    phone = _ask(session, s.me, "phone", "1391234")
    _refused(
        session,
        "volunteers.phone_invalid",
        corrections.correction_resolve,
        actor=s.w.shuji,
        correction_id=phone,
        done=True,
        apply_value="1391234",
    )
    assert session.get(CorrectionRequest, phone).status == CorrectionStatus.open
    other = _ask(session, s.me, "other", "我已搬到新网格")
    _refused(
        session,
        "corrections.cannot_apply",
        corrections.correction_resolve,
        actor=s.w.shuji,
        correction_id=other,
        done=True,
        apply_value="二网格",
    )
    corrections.correction_resolve(
        session=session, actor=s.w.shuji, correction_id=other, done=True, resolution="已调整网格"
    )
    session.commit()
    assert session.get(CorrectionRequest, other).status == CorrectionStatus.done


def test_only_a_volunteer_asks_about_their_own_record(session, s):
    _refused(
        session,
        "signups.no_volunteer_record",
        corrections.correction_create,
        actor=s.w.shuji,
        field="name",
        requested="王书记",
    )
    unlinked = make_account(session, "daiban", Role.volunteer, s.w.community_id)
    _refused(
        session,
        "signups.no_volunteer_record",
        corrections.correction_create,
        actor=unlinked,
        field="name",
        requested="王",
    )
    _refused(
        session,
        "corrections.requested_required",
        corrections.correction_create,
        actor=s.me,
        field="note",
        requested=" ",
    )
    _refused(
        session,
        "corrections.field_unknown",
        corrections.correction_create,
        actor=s.me,
        field="password_hash",
        requested="x",
    )
    assert session.exec(select(CorrectionRequest)).all() == []
