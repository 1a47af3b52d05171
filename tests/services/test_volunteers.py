"""Volunteers: the sign-in account linked to a record, the true list count,
required fields and what deactivating does."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func
from sqlmodel import select

from models.accounts import Account, Role
from models.audit import AuditEntry
from models.base import utcnow
from models.volunteers import Signup, Task, Volunteer
from services import auth, db, signups, volunteers
from services.errors import BoardError
from tests import factories
from tests.conftest import make_account


def test_staff_create_an_account_from_the_record_and_the_volunteer_can_sign_up(engine, session, w):
    vid = factories.volunteer(session, w.community_id, "李小梅")
    task_id = factories.task(session, w.community_id, capacity=3)
    with db.transaction(engine) as s:
        account_id = volunteers.volunteer_account_create(
            session=s, actor=w.shuji, volunteer_id=vid, username="xiaomei", password="a-good-pass"
        )
    with db.transaction(engine) as s:
        result = auth.sign_in(session=s, username="xiaomei", password="a-good-pass")
    assert result.token and result.actor.role == Role.volunteer
    assert result.actor.community_id == w.community_id
    with db.transaction(engine) as s:
        signed = signups.signup_create(session=s, actor=result.actor, task_id=task_id)
    assert signed.status == "confirmed"
    session.rollback()  # a fresh snapshot: the writes above were other transactions
    assert session.get(Volunteer, vid).account_id == account_id
    assert session.get(Account, account_id).display_name == "李小梅"
    assert session.exec(select(Signup.volunteer_id).where(Signup.task_id == task_id)).one() == vid
    audited = session.exec(
        select(AuditEntry.table_name, AuditEntry.row_id).where(AuditEntry.account_id == w.shuji.id)
    ).all()
    assert ("account", account_id) in audited and ("volunteer", vid) in audited
    profile = volunteers.volunteer_profile(session=session, actor=w.shuji, volunteer_id=vid)
    assert profile.account_username == "xiaomei"


def test_a_refused_account_writes_nothing_and_a_linked_record_cannot_get_a_second(
    engine, session, w
):
    vid = factories.volunteer(session, w.community_id, "李小梅")
    make_account(session, "taken", Role.volunteer, w.community_id)
    accounts_before = session.exec(select(func.count()).select_from(Account)).one()
    with pytest.raises(BoardError) as err, db.transaction(engine) as s:
        volunteers.volunteer_account_create(
            session=s, actor=w.shuji, volunteer_id=vid, username="taken", password="a-good-pass"
        )
    assert err.value.key == "auth.username_taken"
    with pytest.raises(BoardError) as err, db.transaction(engine) as s:
        volunteers.volunteer_account_create(
            session=s, actor=w.shuji, volunteer_id=vid, username="fresh", password="short"
        )
    assert err.value.key == "auth.password_short"
    assert session.exec(select(func.count()).select_from(Account)).one() == accounts_before
    assert session.get(Volunteer, vid).account_id is None

    with db.transaction(engine) as s:
        volunteers.volunteer_account_create(
            session=s, actor=w.shuji, volunteer_id=vid, username="fresh", password="a-good-pass"
        )
    with pytest.raises(BoardError) as err, db.transaction(engine) as s:
        volunteers.volunteer_account_create(
            session=s, actor=w.shuji, volunteer_id=vid, username="again", password="a-good-pass"
        )
    assert err.value.key == "volunteers.account_linked_already"


def test_linking_an_existing_account_only_within_the_community_and_only_once(engine, session, w):
    other = factories.world(session, "光明社区")
    vid = factories.volunteer(session, w.community_id, "李小梅")
    vid2 = factories.volunteer(session, w.community_id, "赵大姐")
    mine = make_account(session, "xiaomei", Role.volunteer, w.community_id)
    theirs = make_account(session, "elsewhere", Role.volunteer, other.community_id)
    clerk = make_account(session, "clerk", Role.grid_worker, w.community_id)
    loose = auth.unlinked_volunteer_accounts(
        session=session, actor=w.shuji, community_id=w.community_id
    )
    assert [a.username for a in loose] == ["xiaomei"]  # not other roles, not other communities
    # Without a community: the actor's whole scope, in one query (the accounts page).
    assert [
        a.username for a in auth.unlinked_volunteer_accounts(session=session, actor=w.shuji)
    ] == ["xiaomei"]
    street = auth.unlinked_volunteer_accounts(session=session, actor=w.admin)
    assert sorted(a.username for a in street) == ["elsewhere", "xiaomei"]
    with pytest.raises(BoardError):
        auth.unlinked_volunteer_accounts(
            session=session, actor=w.shuji, community_id=other.community_id
        )
    for account in (theirs, clerk):
        with pytest.raises(BoardError) as err, db.transaction(engine) as s:
            volunteers.volunteer_account_link(
                session=s, actor=w.shuji, volunteer_id=vid, account_id=account.id
            )
        assert err.value.key == "volunteers.account_invalid"
    with db.transaction(engine) as s:
        volunteers.volunteer_account_link(
            session=s, actor=w.shuji, volunteer_id=vid, account_id=mine.id
        )
    session.rollback()  # a fresh snapshot: the writes above were other transactions
    assert session.get(Volunteer, vid).account_id == mine.id
    assert volunteers.volunteer_of_account(session=session, actor=mine) == vid
    with pytest.raises(BoardError) as err, db.transaction(engine) as s:
        volunteers.volunteer_account_link(
            session=s, actor=w.shuji, volunteer_id=vid2, account_id=mine.id
        )
    assert err.value.key == "volunteers.account_invalid"  # already linked to 李小梅
    assert (
        auth.unlinked_volunteer_accounts(
            session=session, actor=w.shuji, community_id=w.community_id
        )
        == []
    )


def test_list_is_capped_but_the_count_is_the_true_total(session, w):
    other = factories.world(session, "光明社区")
    for n in range(7):
        factories.volunteer(session, w.community_id, f"甲{n}")
    for n in range(3):
        factories.volunteer(session, other.community_id, f"乙{n}")
    found = volunteers.volunteer_list(session=session, actor=w.admin, limit=5)
    assert (len(found.rows), found.total) == (5, 10)

    def total(actor, **filters) -> int:
        return volunteers.volunteer_list(session=session, actor=actor, **filters).total

    assert total(w.admin, community_id=other.community_id) == 3
    assert total(w.shuji) == 7
    assert total(w.shuji, search="甲1") == 1


# --- required fields and deactivation (issue 10) -------------------------------------------


@pytest.mark.parametrize(
    ("name", "phone", "key"),
    [
        ("", "13912345678", "volunteers.name_required"),
        ("   ", "13912345678", "volunteers.name_required"),
        ("李秀英", "", "volunteers.phone_invalid"),
        ("李秀英", "1391234567", "volunteers.phone_invalid"),  # 10 digits
        ("李秀英", "23912345678", "volunteers.phone_invalid"),
    ],
)
def test_a_volunteer_needs_a_name_and_a_mobile_number(session, w, name, phone, key):
    with pytest.raises(BoardError) as err:
        volunteers.volunteer_create(
            session=session, actor=w.shuji, name=name, phone=phone, community_id=w.community_id
        )
    assert err.value.key == key
    session.rollback()
    assert session.exec(select(Volunteer)).all() == []


def test_adding_the_same_volunteer_twice_writes_one_record(session, w):
    for _ in range(2):
        try:
            volunteers.volunteer_create(
                session=session,
                actor=w.shuji,
                name="李秀英",
                phone="139 1234 5678",
                community_id=w.community_id,
            )
            session.commit()
        except BoardError as err:
            assert err.key == "volunteers.phone_taken"
            session.rollback()
    assert session.exec(select(func.count()).select_from(Volunteer)).one() == 1


def test_deactivating_cancels_the_sign_ups_not_started_and_promotes_the_waitlist(session, w):
    leaving = factories.volunteer(session, w.community_id, "离开的人")
    waiting = factories.volunteer(session, w.community_id, "候补的人")
    full = factories.task(session, w.community_id, capacity=1, starts_in=timedelta(days=2))
    later = factories.task(session, w.community_id, capacity=1, starts_in=timedelta(days=5))
    queued = factories.task(session, w.community_id, capacity=1, starts_in=timedelta(days=8))
    started = factories.task(session, w.community_id, capacity=2, starts_in=timedelta(days=3))
    sign = lambda task, vid: signups.signup_create(  # noqa: E731
        session=session, actor=w.shuji, task_id=task, volunteer_id=vid
    )
    mine = sign(full, leaving).signup_id
    sign(full, waiting)  # waitlisted behind the leaving volunteer
    sign(later, leaving)
    other = factories.volunteer(session, w.community_id, "先到的人")
    sign(queued, other)
    sign(queued, leaving)  # waitlisted
    done = sign(started, leaving).signup_id
    session.commit()
    # a task that has begun keeps its sign-up (attendance, hours)
    task = session.get(Task, started)
    task.starts_at = utcnow() - timedelta(hours=1)
    session.add(task)
    session.commit()

    assert (
        volunteers.volunteer_upcoming_signups(session=session, actor=w.shuji, volunteer_id=leaving)
        == 3
    )
    cancelled = volunteers.volunteer_set_active(
        session=session, actor=w.shuji, volunteer_id=leaving, active=False
    )
    session.commit()
    assert cancelled == 3
    statuses = {
        task_id: status
        for task_id, status in session.exec(
            select(Signup.task_id, Signup.status).where(Signup.volunteer_id == leaving)
        )
    }
    assert statuses == {
        full: "cancelled",
        later: "cancelled",
        queued: "cancelled",
        started: "confirmed",
    }
    assert session.get(Signup, mine).status == "cancelled" and session.get(Signup, done)
    promoted = session.exec(
        select(Signup.status).where(Signup.task_id == full, Signup.volunteer_id == waiting)
    ).one()
    assert promoted == "confirmed"  # the freed place went to the waitlist
    with pytest.raises(BoardError) as err:
        volunteers.volunteer_set_active(
            session=session, actor=w.shuji, volunteer_id=leaving, active=False
        )
    assert err.value.key == "volunteers.already_inactive"
    session.rollback()
    # bringing them back restores no sign-up
    assert (
        volunteers.volunteer_set_active(
            session=session, actor=w.shuji, volunteer_id=leaving, active=True
        )
        == 0
    )
    session.commit()
    assert session.get(Signup, mine).status == "cancelled"


def test_skills_given_as_one_comma_separated_text_are_stored_as_skills(session, w):
    """volunteer_create takes a list of skills or one text, as volunteer_update does."""
    vid = volunteers.volunteer_create(
        session=session,
        actor=w.shuji,
        name="李秀英",
        phone="13912345678",
        community_id=w.community_id,
        skills="first_aid, errands",
    )
    assert session.get(Volunteer, vid).skills == "errands,first_aid"


def _past_signup(session, w, vid, *, days_ago, status="attended", hours=0.0, source="check"):
    task_id = factories.task(
        session, w.community_id, starts_in=timedelta(days=-days_ago), title=f"任务{days_ago}"
    )
    session.add(
        Signup(
            task_id=task_id,
            volunteer_id=vid,
            status=status,
            hours=hours,
            hours_status="approved" if hours else "none",
            hours_source=source,
            hours_entered_by=w.shuji.id if source == "staff" else None,
            hours_reason="手机没电，线下签到表" if source == "staff" else "",
        )
    )
    session.commit()


def test_the_profile_shows_checked_in_and_entered_hours_apart(session, w):
    """2 h + 3 h by check-out and 1.5 h entered by staff: 签到 5, 补录 1.5, total 6.5."""
    vid = factories.volunteer(session, w.community_id, "李小梅")
    _past_signup(session, w, vid, days_ago=3, hours=2.0)
    _past_signup(session, w, vid, days_ago=4, hours=3.0)
    _past_signup(session, w, vid, days_ago=5, hours=1.5, source="staff")
    profile = volunteers.volunteer_profile(session=session, actor=w.shuji, volunteer_id=vid)
    by_source = profile.approved_by_source
    assert (by_source.check, by_source.staff, profile.approved_hours) == (5.0, 1.5, 6.5)
    record = volunteers.service_lines(session, vid, limit=None)  # the service record's lines
    assert [(r.hours, r.hours_source, r.entered_by, r.reason) for r in record] == [
        (2.0, "check", "", ""),
        (3.0, "check", "", ""),
        (1.5, "staff", w.shuji.username, "手机没电，线下签到表"),
    ]


def test_no_shows_are_counted_per_volunteer_and_year(session, w):
    """No-shows by the Beijing year of the task's start: 2026-01-01 07:00 in Beijing is
    still 2025 in UTC and counts for 2026. 李小梅: 2 in 2026, 1 in 2025, one attended."""
    vid = factories.volunteer(session, w.community_id, "李小梅")
    other = factories.volunteer(session, w.community_id, "王大爷")
    utc = UTC
    for n, (starts, who, status) in enumerate(
        [
            (datetime(2026, 3, 1, 2, 0, tzinfo=utc), vid, "no_show"),
            (datetime(2025, 12, 31, 23, 0, tzinfo=utc), vid, "no_show"),  # 2026 in Beijing
            (datetime(2026, 4, 1, 2, 0, tzinfo=utc), vid, "attended"),
            (datetime(2025, 6, 1, 2, 0, tzinfo=utc), vid, "no_show"),
            (datetime(2026, 3, 1, 2, 0, tzinfo=utc), other, "attended"),
        ]
    ):
        task = Task(
            title=f"任务{n}",
            kind="other",
            community_id=w.community_id,
            place="活动室",
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            capacity=5,
            status="done",
        )
        session.add(task)
        session.flush()
        session.add(Signup(task_id=task.id, volunteer_id=who, status=status))
    session.commit()
    listed = volunteers.volunteer_list(
        session=session, actor=w.shuji, today=date(2026, 11, 24)
    ).rows
    assert dict(zip(listed["name"], listed["no_shows"], strict=True)) == {
        "李小梅": 2,
        "王大爷": 0,
    }
    profile = volunteers.volunteer_profile(session=session, actor=w.shuji, volunteer_id=vid)
    assert profile.no_shows_by_year == {2026: 2, 2025: 1}
