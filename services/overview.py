"""The home page's first figures: what the office holds, counted in SQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from models.base import utcnow
from models.elders import Elder
from models.events import Event, EventStatus
from models.proxy import Merchant, ProxyRequest, ProxyStatus
from models.volunteers import Task, TaskStatus, Volunteer
from services.access import Actor


@dataclass(frozen=True)
class Overview:
    volunteers: int
    elders: int
    open_tasks: int
    merchants: int
    open_requests: int
    upcoming_events: int


def _count(session: Session, table, ids: list[int] | None, *conditions) -> int:
    stmt = select(func.count()).select_from(table).where(*conditions)
    if ids is not None:
        stmt = stmt.where(table.community_id.in_(ids))
    return session.exec(stmt).one()


def overview(*, session: Session, actor: Actor, now: datetime | None = None) -> Overview:
    now = now or utcnow()
    ids = actor.community_ids()
    return Overview(
        volunteers=_count(session, Volunteer, ids, Volunteer.active),
        elders=_count(session, Elder, ids, Elder.active),
        open_tasks=_count(session, Task, ids, Task.status == TaskStatus.open, Task.ends_at >= now),
        merchants=_count(session, Merchant, ids, Merchant.active),
        open_requests=_count(
            session,
            ProxyRequest,
            ids,
            col(ProxyRequest.status).not_in([ProxyStatus.done, ProxyStatus.rejected]),
        ),
        upcoming_events=_count(
            session, Event, ids, Event.status == EventStatus.published, Event.starts_at >= now
        ),
    )
