"""A team signed up as a whole: each member through the ordinary sign-up (capacity, the
waitlist, overlaps), the skipped ones with their reasons; a series with a team."""

from datetime import date, time, timedelta

import pytest
from sqlmodel import select

from models.base import local_today
from models.volunteers import SeriesRule, Signup, SignupStatus, Task, TaskKind, Volunteer
from services import signups, task_series, team_signups, teams
from services.errors import BoardError
from tests import factories


def _team(session, w, names: list[str], name="爱心阿姨服务队") -> tuple[int, list[int]]:
    team_id = teams.team_create(
        session=session, actor=w.shuji, name=name, community_id=w.community_id
    )
    ids = [factories.volunteer(session, w.community_id, n) for n in names]
    for vid in ids:
        teams.team_member_add(
            session=session, actor=w.shuji, team_id=team_id, volunteer_id=vid, today=date.today()
        )
    session.commit()
    return team_id, ids


def _statuses(session, task_id) -> dict[int, str]:
    return {
        s.volunteer_id: str(s.status)
        for s in session.exec(select(Signup).where(Signup.task_id == task_id))
    }


def test_a_team_fills_the_places_and_the_rest_wait(session, w):
    team_id, _ = _team(session, w, ["甲", "乙", "丙", "丁"])
    task_id = factories.task(session, w.community_id, capacity=2)
    result = team_signups.team_sign_up(
        session=session, actor=w.shuji, task_id=task_id, team_id=team_id
    )
    session.commit()
    assert len(result.confirmed) == 2 and len(result.waitlisted) == 2
    assert set(result.confirmed + result.waitlisted) == {"甲", "乙", "丙", "丁"}
    assert result.skipped == []
    statuses = _statuses(session, task_id)
    assert sorted(statuses.values()) == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    assert session.get(Task, task_id).taken == 2


def test_members_already_signed_up_overlapping_or_inactive_are_skipped_with_why(session, w):
    team_id, (a, b, c, d) = _team(session, w, ["一号", "二号", "三号", "四号"])
    task_id = factories.task(session, w.community_id, capacity=5)
    other = factories.task(session, w.community_id, capacity=5, title="同时段巡逻")
    signups.signup_create(session=session, actor=w.shuji, task_id=task_id, volunteer_id=a)
    signups.signup_create(session=session, actor=w.shuji, task_id=other, volunteer_id=b)
    session.get(Volunteer, c).active = False
    session.commit()
    result = team_signups.team_sign_up(
        session=session, actor=w.shuji, task_id=task_id, team_id=team_id
    )
    session.commit()
    assert result.confirmed == ["四号"] and result.waitlisted == []
    reasons = {s.name: s.reason for s in result.skipped}
    assert reasons == {
        "一号": "signups.already",
        "二号": "signups.overlap",
        "三号": "signups.volunteer_inactive",
    }
    assert _statuses(session, task_id) == {a: "confirmed", d: "confirmed"}


def test_another_communitys_team_or_a_closed_task_is_refused(session, w):
    other = factories.world(session, "前进社区")
    their_team, _ = _team(session, other, ["外社区"], name="外社区服务队")
    task_id = factories.task(session, w.community_id)
    with pytest.raises(BoardError) as refused:
        team_signups.team_sign_up(
            session=session, actor=w.admin, task_id=task_id, team_id=their_team
        )
    assert refused.value.key == "team_signup.other_community"
    with pytest.raises(BoardError) as refused:
        team_signups.team_sign_up(
            session=session, actor=other.shuji, task_id=task_id, team_id=their_team
        )
    assert refused.value.key == "access.other_community"
    team_id, _ = _team(session, w, ["本社区"])
    closed = factories.task(session, w.community_id, status="closed")
    with pytest.raises(BoardError) as refused:
        team_signups.team_sign_up(session=session, actor=w.shuji, task_id=closed, team_id=team_id)
    assert refused.value.key == "signups.task_closed"


def test_a_series_with_a_team_signs_it_up_to_every_occurrence(session, w):
    team_id, _ = _team(session, w, ["甲", "乙", "丙"])
    made = task_series.series_create(
        session=session,
        actor=w.shuji,
        community_id=w.community_id,
        title="爱心阿姨服务队入户探访",
        kind=TaskKind.elder_visit,
        place="党群服务中心",
        capacity=2,
        rule=SeriesRule.weekly,
        weekdays=[1],
        starts=time(9),
        minutes=120,
        first_day=local_today() + timedelta(days=1),
        weeks=3,
        team_id=team_id,
    )
    session.commit()
    rows = session.exec(select(Task).where(Task.series_id == made.series_id)).all()
    assert len(rows) == 3
    for row in rows:
        statuses = sorted(
            str(s.status) for s in session.exec(select(Signup).where(Signup.task_id == row.id))
        )
        assert statuses == [SignupStatus.confirmed, SignupStatus.confirmed, SignupStatus.waitlisted]
        assert row.taken == 2
