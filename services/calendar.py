"""Calendar files (.ics) so a volunteer can put a task in the phone's calendar."""

from __future__ import annotations

from datetime import datetime

from ics import Calendar, Event


def task_ics(*, uid: str, title: str, starts_at: datetime, ends_at: datetime, place: str) -> bytes:
    calendar = Calendar()
    event = Event(name=title, begin=starts_at, end=ends_at, location=place or None, uid=uid)
    calendar.events.add(event)
    return calendar.serialize().encode("utf-8")
