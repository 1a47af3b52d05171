"""The door of an event: the one rule for when people may be checked in on the day.

Holds the window (door_window) and the state of the door at a moment (door, Door), so
the check-in service refuses and the staff page greys its button out for the same
reason. Checking a registration in is services/registrations.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from models.base import LOCAL_TZ, aware_utc, local, utcnow
from models.events import EventStatus

DOOR_OPENS_BEFORE = timedelta(hours=1)


def door_window(starts_at: datetime, ends_at: datetime) -> tuple[datetime, datetime]:
    """The one rule for checking people in at the door, [opens, closes) in UTC.

    The door opens one hour before the start (people queue early, the volunteers set
    up) and closes at the end of the local (Asia/Shanghai) day on which the event ends:
    late arrivals are let in, and staff may still enter the paper sheet that evening.
    The next morning the attendance is what it is (the summary counts it)."""
    opens = aware_utc(starts_at) - DOOR_OPENS_BEFORE
    next_day = local(ends_at).date() + timedelta(days=1)
    closes = datetime.combine(next_day, time(0), LOCAL_TZ).astimezone(UTC)
    return opens, closes


@dataclass(frozen=True)
class Door:
    """Whether the door check-in of an event is open now, and if not, why (a message
    key with its `at` parameter), so a page can say it before anyone presses.

    A cancelled event has no door at all (`shut`): there is no window to announce."""

    open: bool
    opens_at: datetime
    closes_at: datetime
    reason: str | None = None
    shut: bool = False

    @property
    def params(self) -> dict[str, str]:
        return {"at": f"{local(self.opens_at):%Y-%m-%d %H:%M}"}


def door(
    *, status: str, starts_at: datetime, ends_at: datetime, now: datetime | None = None
) -> Door:
    """The door of one event at `now` (see door_window); a cancelled event or a draft
    has no door open at all."""
    now = aware_utc(now or utcnow())
    opens, closes = door_window(starts_at, ends_at)
    event_status = EventStatus(status)
    reason: str | None
    if event_status == EventStatus.cancelled:
        reason = "events.door_closed"
    elif event_status == EventStatus.draft:
        reason = "events.door_draft"
    elif now < opens:
        reason = "events.door_not_yet"
    elif now >= closes:
        reason = "events.door_over"
    else:
        reason = None
    return Door(reason is None, opens, closes, reason, shut=event_status == EventStatus.cancelled)
