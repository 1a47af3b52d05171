"""Calendar files (.ics, RFC 5545) so a volunteer puts a task with a place in the phone's
calendar: the task's title, time, place and description, whom to call (the community
office's person in charge and phone), and an alarm an hour before.

Offered only for a place the volunteer holds (confirmed, or already checked in): a
waiting or cancelled entry is no appointment. DTSTAMP is when the file was made; the UID
is stable per task, so a second download updates the same calendar entry.
"""

from __future__ import annotations

import warnings
from datetime import datetime, timedelta

from ics import Calendar, Event
from ics.alarm import DisplayAlarm
from sqlmodel import Session

from models.base import utcnow
from models.org import Community
from models.volunteers import Signup, SignupStatus, Task, Volunteer
from services.access import Actor
from services.errors import BoardError
from services.i18n import translate
from services.signups import HOLDING

PRODID = "-//社区服务协同看板//Community Service Board//ZH"
ALARM_BEFORE = timedelta(hours=1)


def ics_offered(status: str) -> bool:
    """Whether a sign-up in `status` gets a calendar file: a place held."""
    return SignupStatus(status) in HOLDING


def task_uid(task_id: int) -> str:
    return f"task-{task_id}@community-service-board"


def _description(task: Task, community: Community | None, lang: str) -> str:
    parts = [task.description.strip()] if task.description.strip() else []
    if community is not None and (community.person_in_charge or community.office_phone):
        parts.append(
            translate(
                "messages.ics_contact",
                lang,
                community=community.name,
                person=community.person_in_charge or "-",
                phone=community.office_phone or "-",
            )
        )
    return "\n\n".join(parts)


def task_ics(*, task: Task, community: Community | None, lang: str, now: datetime) -> bytes:
    """The .ics file of one task (a calendar with one event and its alarm)."""
    calendar = Calendar(creator=PRODID)
    event = Event(
        name=task.title,
        begin=task.starts_at,
        end=task.ends_at,
        uid=task_uid(task.id),
        created=now,  # serialised as DTSTAMP by the ics library
        location=task.place or None,
        description=_description(task, community, lang) or None,
        alarms=[
            DisplayAlarm(
                trigger=-ALARM_BEFORE,
                display_text=translate("messages.ics_alarm", lang, title=task.title),
            )
        ],
    )
    calendar.events.add(event)
    with warnings.catch_warnings():
        # ics 0.7 serialises an alarm with its own str(), which warns of ics 0.9
        warnings.simplefilter("ignore", FutureWarning)
        return calendar.serialize().encode("utf-8")


def signup_ics(*, session: Session, actor: Actor, signup_id: int, lang: str) -> bytes:
    """The calendar file of the actor's own sign-up, refused unless it holds a place."""
    signup = session.get(Signup, signup_id)
    volunteer = session.get(Volunteer, signup.volunteer_id) if signup else None
    if signup is None or volunteer is None or volunteer.account_id != actor.id:
        raise BoardError("common.not_found")
    if not ics_offered(signup.status):
        raise BoardError("messages.ics_not_confirmed")
    task = session.get(Task, signup.task_id)
    assert task is not None  # the sign-up's foreign key
    community = session.get(Community, task.community_id)
    return task_ics(task=task, community=community, lang=lang, now=utcnow())
