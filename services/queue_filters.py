"""The agent's queue by urgency: 全部, 已逾期 (past the due day and still open), 今天到期
(due today), each with its count, so the phone shows what burns first."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Protocol, TypeVar

ALL = "all"
OVERDUE = "overdue"
DUE_TODAY = "today"
FILTERS = (ALL, OVERDUE, DUE_TODAY)


class _Due(Protocol):
    @property
    def overdue(self) -> bool: ...

    @property
    def due_on(self) -> date: ...


def matches(card: _Due, which: str, today: date) -> bool:
    if which == OVERDUE:
        return card.overdue
    if which == DUE_TODAY:
        return card.due_on == today
    return True


def queue_counts(cards: Sequence[_Due], today: date) -> dict[str, int]:
    """How many cards each filter keeps."""
    return {which: sum(matches(c, which, today) for c in cards) for which in FILTERS}


Card = TypeVar("Card", bound=_Due)


def queue_filter(cards: Sequence[Card], which: str, today: date) -> list[Card]:
    return [c for c in cards if matches(c, which, today)]
