"""The door of an event: one window for check-in, at its edges, and no door for a draft
or a cancelled event."""

from datetime import datetime

import pytest

from models.base import LOCAL_TZ
from services import event_door


def _at(local_stamp: str) -> datetime:
    return datetime.fromisoformat(local_stamp).replace(tzinfo=LOCAL_TZ)


@pytest.mark.parametrize(
    ("now", "open_", "reason"),
    [
        ("2026-12-05 13:29:59", False, "events.door_not_yet"),  # 1 h before 14:30, less 1 s
        ("2026-12-05 13:30:00", True, None),  # opens one hour before the start
        ("2026-12-05 16:30:00", True, None),  # the end of the event
        ("2026-12-05 23:59:59", True, None),  # late entries, that evening
        ("2026-12-06 00:00:00", False, "events.door_over"),  # the next local day
        ("2026-11-28 14:30:00", False, "events.door_not_yet"),  # a week before
    ],
)
def test_the_door_window_at_its_edges(now, open_, reason):
    """One rule: from one hour before the start to the end of the (Asia/Shanghai) day
    on which the event ends."""
    door = event_door.door(
        status="published",
        starts_at=_at("2026-12-05 14:30"),
        ends_at=_at("2026-12-05 16:30"),
        now=_at(now),
    )
    assert (door.open, door.reason) == (open_, reason)
    assert door.params == {"at": "2026-12-05 13:30"}
    assert door.closes_at == _at("2026-12-06 00:00")


def test_the_door_of_an_event_past_midnight_closes_with_its_last_day():
    door = event_door.door(
        status="published",
        starts_at=_at("2026-12-31 22:00"),
        ends_at=_at("2027-01-01 01:00"),
        now=_at("2027-01-01 23:00"),
    )
    assert door.open and door.closes_at == _at("2027-01-02 00:00")


@pytest.mark.parametrize(
    ("status", "reason", "shut"),
    [
        ("draft", "events.door_draft", False),  # the window is said, the button greyed out
        ("cancelled", "events.door_closed", True),  # no window to say at all
        ("published", None, False),
        ("done", None, False),
    ],
)
def test_no_door_for_a_draft_or_a_cancelled_event(status, reason, shut):
    door = event_door.door(
        status=status,
        starts_at=_at("2026-12-05 14:30"),
        ends_at=_at("2026-12-05 16:30"),
        now=_at("2026-12-05 14:00"),
    )
    assert (door.open, door.reason, door.shut) == (reason is None, reason, shut)
