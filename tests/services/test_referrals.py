"""Referrals (转介): a need found on a visit handed to a named service with a deadline,
closed later as done or not possible with a note, the day and who; overdue while open
past the deadline; staff see their communities', a grid worker their grids'."""

from datetime import date, timedelta

import pytest
from sqlmodel import select

from models.accounts import Role
from models.audit import AuditEntry
from models.elders import Elder, ElderVisitor, Referral, Visit
from models.org import Grid
from services import elders, referrals, visit_policy, visits
from services.access import Actor
from services.errors import BoardError
from services.referrals import ReferralDraft
from services.visit_content import Checklist, VisitContent
from tests import factories
from tests.conftest import make_account

TODAY = date(2026, 11, 24)
NEED = VisitContent(needs=Checklist(("adaptation",), "卫生间需要扶手"))


@pytest.fixture
def w(session):
    world = factories.world(session)
    visit_policy.ensure_defaults(session)
    session.commit()
    return world


def grid(session, w, name, worker):
    row = Grid(
        community_id=w.community_id, name=name, worker_account_id=worker.id if worker else None
    )
    session.add(row)
    session.commit()
    return row.id


def elder(session, community_id, name, grid_id=None):
    row = Elder(
        name=name,
        birth_date=date(1940, 5, 1),
        address="3号楼2单元501",
        community_id=community_id,
        grid_id=grid_id,
        registered_on=date(2026, 1, 1),
    )
    session.add(row)
    session.commit()
    return row.id


def refer(session, actor, elder_id, draft, content=NEED, today=TODAY, **kw):
    visit_id = visits.visit_record(
        session=session,
        actor=actor,
        elder_id=elder_id,
        visited_on=today,
        mode="上门",
        today=today,
        content=content,
        referral=draft,
        **kw,
    )
    session.commit()
    return session.exec(select(Referral).where(Referral.visit_id == visit_id)).one()


def test_who_may_refer():
    expected = {
        Role.admin: True,
        Role.secretary: True,
        Role.grid_worker: True,
        Role.volunteer: False,
        Role.display: False,
    }
    assert {role: referrals.can_refer(Actor(1, "x", "x", role, 1)) for role in expected} == expected


def test_a_need_is_referred_with_the_visit(session, w):
    e = elder(session, w.community_id, "李桂兰")
    r = refer(session, w.shuji, e, ReferralDraft("物业", date(2026, 12, 1)))
    assert (r.elder_id, r.service, r.need, r.due_on, r.state) == (
        e,
        "物业",
        "卫生间需要扶手",  # nothing said: the visit's need in words
        date(2026, 12, 1),
        "open",
    )
    assert (r.created_on, r.created_by) == (TODAY, w.shuji.id)
    audited = session.exec(select(AuditEntry).where(AuditEntry.table_name == "referral")).all()
    assert [a.action for a in audited] == ["create"]


def test_a_service_typed_in_and_a_need_said_apart(session, w):
    e = elder(session, w.community_id, "李桂兰")
    ticked_only = VisitContent(needs=Checklist(("rehab", "care")))
    r = refer(session, w.shuji, e, ReferralDraft("  康复  中心 ", TODAY, need=""), ticked_only)
    assert (r.service, r.need) == ("康复 中心", "生活照料、康复护理")
    r = refer(session, w.shuji, e, ReferralDraft("民政助理", TODAY, need="申请护理补贴"), NEED)
    assert (r.service, r.need) == ("民政助理", "申请护理补贴")


@pytest.mark.parametrize(
    ("draft", "content", "key"),
    [
        (ReferralDraft(" ", TODAY), NEED, "referrals.service_required"),
        (ReferralDraft("物业", TODAY), VisitContent(), "referrals.need_required"),
        (ReferralDraft("物业", TODAY - timedelta(days=1)), NEED, "referrals.due_invalid"),
        (ReferralDraft("物业", TODAY + timedelta(days=91)), NEED, "referrals.due_invalid"),
    ],
)
def test_refused_referrals_write_neither_the_visit_nor_the_referral(
    session, w, draft, content, key
):
    e = elder(session, w.community_id, "李桂兰")
    with pytest.raises(BoardError) as err:
        refer(session, w.shuji, e, draft, content)
    assert err.value.key == key
    session.rollback()
    assert session.exec(select(Visit)).all() == [] and session.exec(select(Referral)).all() == []


def test_the_deadline_may_be_today_or_ninety_days_on(session, w):
    e = elder(session, w.community_id, "李桂兰")
    assert refer(session, w.shuji, e, ReferralDraft("物业", TODAY)).due_on == TODAY
    far = refer(session, w.shuji, e, ReferralDraft("物业", date(2027, 2, 22)), follow_up="再去")
    assert far.due_on == date(2027, 2, 22)


def test_a_volunteer_reports_the_need_and_the_office_refers_it(session, w):
    volunteer = make_account(session, "zy", Role.volunteer, w.community_id)
    e = elder(session, w.community_id, "李桂兰")
    session.add(ElderVisitor(elder_id=e, account_id=volunteer.id))
    session.commit()
    with pytest.raises(BoardError) as err:
        refer(session, volunteer, e, ReferralDraft("物业", TODAY))
    assert err.value.key == "referrals.volunteer_cannot_refer"


def test_open_referrals_come_by_deadline_with_the_overdue_flagged(session, w):
    e = elder(session, w.community_id, "李桂兰")
    made = date(2026, 11, 10)
    for service, due in (("物业", date(2026, 11, 30)), ("民政助理", date(2026, 11, 14))):
        refer(session, w.shuji, e, ReferralDraft(service, due), today=made, follow_up=service)
    refer(session, w.shuji, e, ReferralDraft("志愿服务队", date(2026, 11, 24)), today=TODAY)
    cards = referrals.referral_list(session=session, actor=w.shuji, today=TODAY)
    assert [(c.service, c.due_on, c.days_overdue, c.overdue) for c in cards] == [
        ("民政助理", date(2026, 11, 14), 10, True),
        ("志愿服务队", date(2026, 11, 24), 0, False),  # due today: not yet overdue
        ("物业", date(2026, 11, 30), 0, False),
    ]
    assert [c.named_service for c in cards] == [True, True, True]


def test_closing_a_referral_done_or_not_possible(session, w):
    e = elder(session, w.community_id, "李桂兰")
    made = date(2026, 11, 10)
    first = refer(session, w.shuji, e, ReferralDraft("物业", date(2026, 11, 14)), today=made)
    second = refer(
        session,
        w.shuji,
        e,
        ReferralDraft("民政助理", date(2026, 11, 20)),
        today=made,
        follow_up="x",
    )
    referrals.referral_close(
        session=session,
        actor=w.shuji,
        referral_id=first.id,
        outcome="done",
        note=" 扶手已装好 ",
        closed_on=date(2026, 11, 20),
        today=TODAY,
    )
    referrals.referral_close(
        session=session,
        actor=w.shuji,
        referral_id=second.id,
        outcome="not_possible",
        note="不符合补贴条件",
        closed_on=TODAY,
        today=TODAY,
    )
    session.commit()
    session.refresh(first)
    assert (first.state, first.closure_note, first.closed_on, first.closed_by) == (
        "done",
        "扶手已装好",
        date(2026, 11, 20),
        w.shuji.id,
    )
    assert referrals.referral_list(session=session, actor=w.shuji, today=TODAY) == []
    cards = referrals.referral_list(session=session, actor=w.shuji, today=TODAY, open_only=False)
    # closed ones, the latest closed first; late ones are no longer "overdue" once closed
    assert [(c.state, c.closed_on, c.closed_by, c.days_overdue, c.can_close) for c in cards] == [
        ("not_possible", TODAY, w.shuji.display_name, 0, False),
        ("done", date(2026, 11, 20), w.shuji.display_name, 0, False),
    ]
    audited = session.exec(
        select(AuditEntry.action).where(AuditEntry.table_name == "referral")
    ).all()
    assert audited == ["create", "create", "update", "update"]


@pytest.mark.parametrize(
    ("outcome", "note", "closed_on", "key"),
    [
        ("done", "  ", TODAY, "referrals.note_required"),
        ("maybe", "好了", TODAY, "referrals.outcome_invalid"),
        ("done", "好了", date(2026, 11, 9), "referrals.closed_on_invalid"),  # before it was made
        ("done", "好了", TODAY + timedelta(days=1), "referrals.closed_on_invalid"),
        ("done", "好了", None, "referrals.closed_on_invalid"),
    ],
)
def test_refused_closures_change_nothing(session, w, outcome, note, closed_on, key):
    e = elder(session, w.community_id, "李桂兰")
    r = refer(session, w.shuji, e, ReferralDraft("物业", TODAY), today=date(2026, 11, 10))
    with pytest.raises(BoardError) as err:
        referrals.referral_close(
            session=session,
            actor=w.shuji,
            referral_id=r.id,
            outcome=outcome,
            note=note,
            closed_on=closed_on,
            today=TODAY,
        )
    assert err.value.key == key
    session.rollback()
    assert session.get(Referral, r.id).state == "open"


def test_a_referral_is_closed_once(session, w):
    e = elder(session, w.community_id, "李桂兰")
    r = refer(session, w.shuji, e, ReferralDraft("物业", TODAY))
    close = dict(
        session=session,
        actor=w.shuji,
        referral_id=r.id,
        outcome="done",
        note="好了",
        closed_on=TODAY,
        today=TODAY,
    )
    referrals.referral_close(**close)
    session.commit()
    with pytest.raises(BoardError) as err:
        referrals.referral_close(**close)
    assert err.value.key == "referrals.already_closed"


def test_a_grid_worker_sees_and_closes_the_referrals_of_their_grid_only(session, w):
    mine = make_account(session, "wg1", Role.grid_worker, w.community_id)
    theirs = make_account(session, "wg2", Role.grid_worker, w.community_id)
    g1, g2 = grid(session, w, "第一网格", mine), grid(session, w, "第二网格", theirs)
    in_mine = elder(session, w.community_id, "网格一老人", g1)
    in_theirs = elder(session, w.community_id, "网格二老人", g2)
    nowhere = elder(session, w.community_id, "未分网格老人")
    for e in (in_mine, in_theirs, nowhere):
        refer(session, w.shuji, e, ReferralDraft("物业", TODAY))
    seen = {
        actor.username: [
            c.elder for c in referrals.referral_list(session=session, actor=actor, today=TODAY)
        ]
        for actor in (mine, theirs, w.shuji, w.admin)
    }
    assert seen == {
        "wg1": ["网格一老人"],
        "wg2": ["网格二老人"],
        w.shuji.username: ["网格一老人", "网格二老人", "未分网格老人"],
        w.admin.username: ["网格一老人", "网格二老人", "未分网格老人"],
    }
    other = session.exec(select(Referral).where(Referral.elder_id == in_theirs)).one()
    with pytest.raises(BoardError) as err:
        referrals.referral_close(
            session=session,
            actor=mine,
            referral_id=other.id,
            outcome="done",
            note="好了",
            closed_on=TODAY,
            today=TODAY,
        )
    assert err.value.key == "referrals.not_your_grid"


def test_other_communities_and_other_roles_see_nothing(session, w):
    e = elder(session, w.community_id, "李桂兰")
    r = refer(session, w.shuji, e, ReferralDraft("物业", TODAY))
    other = factories.world(session, "前进社区")
    assert referrals.referral_list(session=session, actor=other.shuji, today=TODAY) == []
    with pytest.raises(BoardError) as err:
        referrals.referral_close(
            session=session,
            actor=other.shuji,
            referral_id=r.id,
            outcome="done",
            note="好了",
            closed_on=TODAY,
            today=TODAY,
        )
    assert err.value.key == "access.other_community"
    volunteer = make_account(session, "zy", Role.volunteer, w.community_id)
    with pytest.raises(BoardError) as err:
        referrals.referral_list(session=session, actor=volunteer, today=TODAY)
    assert err.value.key == "access.denied"


def test_the_history_of_a_visit_shows_its_referrals(session, w):
    e = elder(session, w.community_id, "李桂兰")
    refer(
        session,
        w.shuji,
        e,
        ReferralDraft("社区卫生服务站", date(2026, 11, 20)),
        today=date(2026, 11, 10),
    )
    page = elders.elder_page(session=session, actor=w.shuji, elder_id=e, today=TODAY)
    assert page.history[0].referrals == (
        referrals.ReferralLine("社区卫生服务站", True, date(2026, 11, 20), "open", True),
    )
