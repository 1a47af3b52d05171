"""The .ics file of a held place, parsed back: DTSTAMP, the board's PRODID, the task's
description with whom to call, its place, an alarm an hour before; none for a place on
the waitlist or someone else's."""

from datetime import timedelta

import pytest
from ics import Calendar

from models.accounts import Role
from models.org import Community
from models.volunteers import Task
from services import calendar, signups
from services.errors import BoardError
from tests import factories
from tests.conftest import make_account


@pytest.fixture
def places(session, w):
    community = session.get(Community, w.community_id)
    community.person_in_charge, community.office_phone = "王书记", "0471-6612345"
    session.add(community)
    task_id = factories.task(session, w.community_id, capacity=1)
    task = session.get(Task, task_id)
    task.place, task.description = "四千米社区活动室", "带好手套和垃圾袋。"
    session.add(task)
    session.commit()
    people = []
    for n in range(2):
        actor = make_account(session, f"v{n}", Role.volunteer, w.community_id)
        factories.volunteer(session, w.community_id, f"志愿者{n}", account=actor)
        result = signups.signup_create(session=session, actor=actor, task_id=task_id)
        people.append((actor, result))
    session.commit()
    return task, people


def test_the_file_of_a_confirmed_place_parses_back_with_all_it_needs(session, places):
    task, [(actor, placed), _] = places
    data = calendar.signup_ics(
        session=session, actor=actor, signup_id=placed.signup_id, lang="zh_CN"
    )
    text = data.decode("utf-8")
    assert "\r\nDTSTAMP:" in text
    parsed = Calendar(text)
    assert parsed.creator == "-//社区服务协同看板//Community Service Board//ZH"
    (event,) = parsed.events
    assert event.uid == calendar.task_uid(task.id)
    assert event.name == task.title
    assert event.location == "四千米社区活动室"
    assert "带好手套和垃圾袋。" in event.description
    assert "王书记" in event.description and "0471-6612345" in event.description
    assert event.begin.datetime == task.starts_at.replace(microsecond=0)
    (alarm,) = event.alarms
    assert alarm.trigger == timedelta(hours=-1)
    assert "BEGIN:VALARM\r\nACTION:DISPLAY" in text


def test_no_file_for_a_place_on_the_waitlist_or_someone_elses(session, places):
    _task, [(_first, placed), (second, waiting)] = places
    assert waiting.status == "waitlisted"
    assert not calendar.ics_offered("waitlisted") and not calendar.ics_offered("cancelled")
    assert calendar.ics_offered("confirmed") and calendar.ics_offered("attended")
    with pytest.raises(BoardError) as err:
        calendar.signup_ics(session=session, actor=second, signup_id=waiting.signup_id, lang="en")
    assert err.value.key == "messages.ics_not_confirmed"
    with pytest.raises(BoardError):
        calendar.signup_ics(session=session, actor=second, signup_id=placed.signup_id, lang="en")
