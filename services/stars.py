"""Star levels (星级志愿者): the thresholds the street sets, a volunteer's level from their
approved hours, and the announcement of a level newly reached.

The thresholds are a table the street admin edits (provinces differ: the default
100/300/600/1000/1500 h of 中国社区志愿者注册管理办法, Beijing 100/200/500/800/1000 h):
five levels, each a whole number of hours above zero, strictly increasing. With no rows
stored the defaults apply. Every star shown anywhere comes from `star_level` with these
thresholds.

A level newly reached is announced on the volunteer's own page until they dismiss it
(`star_news`, `star_news_dismiss`): the volunteer's `stars_announced` keeps the highest
level they have dismissed, so each level is announced once; a level lost (the street
raised a threshold) and reached again is not announced again.

Not here: the hours themselves (services/signups.py records them, services/volunteers.py
sums them).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from sqlalchemy import func
from sqlmodel import Session, col, select

from models.accounts import Role
from models.volunteers import HoursStatus, Signup, StarThreshold, Volunteer
from services import audit
from services.access import STAFF, Actor
from services.errors import BoardError

DEFAULT_THRESHOLDS = (100, 300, 600, 1000, 1500)  # approved hours for 1★ … 5★
LEVELS = len(DEFAULT_THRESHOLDS)


@dataclass(frozen=True)
class StarLevel:
    stars: int
    hours: float
    next_threshold: int | None  # None at the highest level

    @property
    def hours_to_next(self) -> float | None:
        return None if self.next_threshold is None else round(self.next_threshold - self.hours, 2)


def star_level(hours: float, thresholds: Sequence[int]) -> StarLevel:
    """The level `hours` of approved service reach under `thresholds` (1★ … 5★)."""
    stars = sum(1 for threshold in thresholds if hours >= threshold)
    following = thresholds[stars] if stars < len(thresholds) else None
    return StarLevel(stars=stars, hours=round(hours, 2), next_threshold=following)


def star_thresholds(session: Session) -> tuple[int, ...]:
    """The thresholds in force: the stored table, or the defaults when none is stored."""
    rows = session.exec(select(StarThreshold).order_by(col(StarThreshold.stars))).all()
    return tuple(r.hours for r in rows) if rows else DEFAULT_THRESHOLDS


def star_table(*, session: Session, actor: Actor) -> tuple[int, ...]:
    """The thresholds for staff pages (the street admin edits them)."""
    actor.require(STAFF)
    return star_thresholds(session)


def _valid(hours: Sequence[float | int | None]) -> list[int]:
    """Five whole numbers of hours above zero, strictly increasing; else a refusal."""
    if len(hours) != LEVELS or any(h is None for h in hours):
        raise BoardError("stars.five_levels", n=LEVELS)
    values = [float(h) for h in hours if h is not None]
    if any(v <= 0 or v != int(v) for v in values):
        raise BoardError("stars.whole_positive")
    whole = [int(v) for v in values]
    for level, (lower, upper) in enumerate(pairwise(whole), start=2):
        if upper <= lower:
            raise BoardError("stars.increasing", stars=level, lower=lower)
    return whole


def star_thresholds_set(
    *, session: Session, actor: Actor, hours: Sequence[float | int | None]
) -> tuple[int, ...]:
    """The street admin sets the five thresholds; every change is audited. Returns them."""
    if actor.role != Role.admin:
        raise BoardError("access.denied")
    whole = _valid(hours)
    stored = {r.stars: r for r in session.exec(select(StarThreshold)).all()}
    for stars, value in enumerate(whole, start=1):
        row = stored.get(stars)
        if row is None:
            row = StarThreshold(stars=stars, hours=value)
            session.add(row)
            audit.record(session, actor_id=actor.id, action="create", row=row)
        else:
            audit.apply_changes(session, actor_id=actor.id, row=row, values={"hours": value})
    return tuple(whole)


def _own_volunteer(session: Session, actor: Actor) -> Volunteer | None:
    return session.exec(select(Volunteer).where(Volunteer.account_id == actor.id)).first()


def _approved_hours(session: Session, volunteer_id: int) -> float:
    return session.exec(
        select(func.coalesce(func.sum(Signup.hours), 0.0)).where(
            Signup.volunteer_id == volunteer_id, Signup.hours_status == HoursStatus.approved
        )
    ).one()


def star_news(*, session: Session, actor: Actor) -> int | None:
    """The star level the signed-in volunteer has newly reached and not yet dismissed
    (announced on their page), or None."""
    volunteer = _own_volunteer(session, actor)
    if volunteer is None:
        return None
    level = star_level(_approved_hours(session, volunteer.id), star_thresholds(session)).stars
    return level if level > volunteer.stars_announced else None


def star_news_dismiss(*, session: Session, actor: Actor) -> None:
    """The volunteer has seen the announcement: their level now counts as announced."""
    volunteer = _own_volunteer(session, actor)
    if volunteer is None:
        raise BoardError("signups.no_volunteer_record")
    level = star_level(_approved_hours(session, volunteer.id), star_thresholds(session)).stars
    if level > volunteer.stars_announced:
        audit.apply_changes(
            session, actor_id=actor.id, row=volunteer, values={"stars_announced": level}
        )
