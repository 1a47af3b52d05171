"""Service teams: the hours rule, who may be added, deactivation (never deletion)."""

from datetime import date, datetime, timedelta

import pytest
from sqlmodel import select

from models.base import LOCAL_TZ
from models.volunteers import HoursStatus, Signup, SignupStatus, Task, TaskKind, Team
from services import teams
from services.errors import BoardError
from tests import factories

TODAY = date(2026, 11, 24)


def _hours(session, community_id, volunteer_id, day: date, hours: float, approved=True):
    starts = datetime(day.year, day.month, day.day, 9, tzinfo=LOCAL_TZ)
    task = Task(
        title=f"任务{day}",
        kind=TaskKind.other,
        community_id=community_id,
        starts_at=starts,
        ends_at=starts + timedelta(hours=hours),
        capacity=5,
        status="done",
    )
    session.add(task)
    session.flush()
    session.add(
        Signup(
            task_id=task.id,
            volunteer_id=volunteer_id,
            status=SignupStatus.attended,
            hours=hours,
            hours_status=HoursStatus.approved if approved else HoursStatus.pending,
        )
    )
    session.commit()


def _row(session, actor, team_id):
    return next(
        r for r in teams.team_list(session=session, actor=actor, today=TODAY) if r.id == team_id
    )


def test_team_hours_are_current_members_hours_on_tasks_in_the_period(session, w):
    cid = w.community_id
    stays, leaves, both = (factories.volunteer(session, cid, n) for n in ("留", "走", "两队"))
    red = teams.team_create(session=session, actor=w.shuji, name="红色服务队", community_id=cid)
    green = teams.team_create(session=session, actor=w.shuji, name="绿色服务队", community_id=cid)
    for vid in (stays, leaves, both):
        teams.team_member_add(
            session=session, actor=w.shuji, team_id=red, volunteer_id=vid, today=TODAY
        )
    teams.team_member_add(
        session=session, actor=w.shuji, team_id=green, volunteer_id=both, today=TODAY
    )
    session.commit()
    _hours(session, cid, stays, date(2026, 11, 3), 2)  # this month
    _hours(session, cid, stays, date(2026, 3, 3), 4)  # this year, earlier month
    _hours(session, cid, stays, date(2025, 12, 30), 8)  # last year: not counted
    _hours(session, cid, stays, date(2026, 11, 5), 16, approved=False)  # pending: not counted
    _hours(session, cid, leaves, date(2026, 11, 4), 20)  # a former member: not counted
    _hours(session, cid, both, date(2026, 11, 6), 1)  # counted in both teams
    teams.team_member_remove(session=session, actor=w.shuji, team_id=red, volunteer_id=leaves)
    session.commit()

    red_row, green_row = _row(session, w.shuji, red), _row(session, w.shuji, green)
    assert (red_row.members, red_row.hours_month, red_row.hours_year) == (2, 3.0, 7.0)
    assert (green_row.members, green_row.hours_month, green_row.hours_year) == (1, 1.0, 1.0)


def test_candidates_are_all_active_volunteers_of_the_teams_community_not_yet_members(session, w):
    other = factories.world(session, "光明社区")
    team_id = teams.team_create(
        session=session, actor=w.shuji, name="爱心服务队", community_id=w.community_id
    )
    ours = [factories.volunteer(session, w.community_id, f"甲{n:03}") for n in range(520)]
    factories.volunteer(session, w.community_id, "不在册", active=False)
    theirs = factories.volunteer(session, other.community_id, "外社区")
    teams.team_member_add(
        session=session, actor=w.shuji, team_id=team_id, volunteer_id=ours[0], today=TODAY
    )
    session.commit()
    candidates = teams.team_candidates(session=session, actor=w.admin, team_id=team_id)
    ids = [c.id for c in candidates]
    assert len(ids) == 519  # no silent cap at 500
    assert ours[0] not in ids and theirs not in ids
    assert candidates[0].name == "甲001" and "****" in candidates[0].phone
    with pytest.raises(BoardError) as err:
        teams.team_member_add(
            session=session, actor=w.admin, team_id=team_id, volunteer_id=theirs, today=TODAY
        )
    assert err.value.key == "teams.member_invalid"


def test_deactivate_and_reactivate_a_team_keeps_it_and_its_members(session, w):
    vid = factories.volunteer(session, w.community_id, "留")
    team_id = teams.team_create(
        session=session,
        actor=w.shuji,
        name="爱心服务队",
        community_id=w.community_id,
        leader_id=vid,
    )
    session.commit()
    teams.team_set_active(session=session, actor=w.shuji, team_id=team_id, active=False)
    session.commit()
    row = _row(session, w.shuji, team_id)
    assert (row.active, row.members) == (False, 1)
    # editing the name does not bring it back by the way
    teams.team_update(
        session=session,
        actor=w.shuji,
        team_id=team_id,
        name="爱心帮扶队",
        purpose="",
        leader_id=vid,
    )
    session.commit()
    assert session.get(Team, team_id).active is False
    newcomer = factories.volunteer(session, w.community_id, "新")
    with pytest.raises(BoardError) as err:
        teams.team_member_add(
            session=session, actor=w.shuji, team_id=team_id, volunteer_id=newcomer, today=TODAY
        )
    assert err.value.key == "teams.inactive"
    session.rollback()
    teams.team_set_active(session=session, actor=w.shuji, team_id=team_id, active=True)
    session.commit()
    assert session.exec(select(Team.active, Team.name).where(Team.id == team_id)).one() == (
        True,
        "爱心帮扶队",
    )


def test_a_team_cannot_take_the_name_of_another_in_its_community(session, w):
    cid = w.community_id
    red = teams.team_create(session=session, actor=w.shuji, name="红色服务队", community_id=cid)
    teams.team_create(session=session, actor=w.shuji, name="爱心阿姨服务队", community_id=cid)
    session.commit()
    with pytest.raises(BoardError) as err:
        teams.team_update(
            session=session,
            actor=w.shuji,
            team_id=red,
            name=" 爱心阿姨服务队 ",
            purpose="",
            leader_id=None,
        )
    assert err.value.key == "teams.name_taken"
    session.rollback()
    assert session.get(Team, red).name == "红色服务队"
    # keeping its own name is no clash
    teams.team_update(
        session=session,
        actor=w.shuji,
        team_id=red,
        name="红色服务队",
        purpose="帮老人",
        leader_id=None,
    )
    assert session.get(Team, red).purpose == "帮老人"


# --- required fields, removing a member, deactivation (issue 10) -----------------------------


@pytest.mark.parametrize("name", ["", "   "])
def test_a_team_needs_a_name_and_nothing_is_written(session, w, name):
    with pytest.raises(BoardError) as err:
        teams.team_create(session=session, actor=w.shuji, name=name, community_id=w.community_id)
    assert err.value.key == "teams.name_required"
    session.rollback()
    assert session.exec(select(Team)).all() == []


def test_removing_the_leader_leaves_the_team_without_a_leader(session, w):
    leader = factories.volunteer(session, w.community_id, "队长")
    member = factories.volunteer(session, w.community_id, "队员")
    team_id = teams.team_create(
        session=session,
        actor=w.shuji,
        name="爱心服务队",
        community_id=w.community_id,
        leader_id=leader,
    )
    teams.team_member_add(
        session=session, actor=w.shuji, team_id=team_id, volunteer_id=member, today=TODAY
    )
    session.commit()
    assert (
        teams.team_member_remove(
            session=session, actor=w.shuji, team_id=team_id, volunteer_id=member
        )
        is False
    )
    assert session.get(Team, team_id).leader_id == leader  # a member leaving changes no leader
    assert (
        teams.team_member_remove(
            session=session, actor=w.shuji, team_id=team_id, volunteer_id=leader
        )
        is True
    )
    session.commit()
    assert session.get(Team, team_id).leader_id is None
    assert teams.team_members(session=session, actor=w.shuji, team_id=team_id) == []
    # a second press on 确认移出 is refused, nothing else changes
    with pytest.raises(BoardError) as err:
        teams.team_member_remove(
            session=session, actor=w.shuji, team_id=team_id, volunteer_id=leader
        )
    assert err.value.key == "teams.not_member"


def test_a_team_is_deactivated_once(session, w):
    team_id = teams.team_create(
        session=session, actor=w.shuji, name="爱心服务队", community_id=w.community_id
    )
    teams.team_set_active(session=session, actor=w.shuji, team_id=team_id, active=False)
    session.commit()
    with pytest.raises(BoardError) as err:
        teams.team_set_active(session=session, actor=w.shuji, team_id=team_id, active=False)
    assert (err.value.key, err.value.params) == ("teams.already_inactive", {"name": "爱心服务队"})
    session.rollback()
    teams.team_set_active(session=session, actor=w.shuji, team_id=team_id, active=True)
    with pytest.raises(BoardError) as err:
        teams.team_set_active(session=session, actor=w.shuji, team_id=team_id, active=True)
    assert err.value.key == "teams.already_active"
