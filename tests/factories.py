"""Small factories for service tests: a community with staff, volunteers and tasks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session

from models.accounts import Role
from models.base import utcnow
from models.volunteers import Task, TaskKind, TaskStatus, Volunteer
from services import merchants
from services.access import Actor
from tests.conftest import make_account, make_community


@dataclass
class World:
    community_id: int
    shuji: Actor
    admin: Actor


def world(session: Session, name: str = "四千米社区") -> World:
    cid = make_community(session, name)
    return World(
        community_id=cid,
        shuji=make_account(session, f"shuji{cid}", Role.secretary, cid),
        admin=make_account(session, f"admin{cid}", Role.admin, None),
    )


@dataclass
class ProxyWorld(World):
    agent: Actor
    merchant: int


def proxy_world(session: Session, **merchant: object) -> ProxyWorld:
    """大召社区 with an agent (daiban) and one merchant, for the proxy service tests."""
    base = world(session, "大召社区")
    agent = make_account(session, "daiban", Role.volunteer, base.community_id)
    merchant_id = merchants.merchant_create(
        session=session,
        actor=base.shuji,
        community_id=base.community_id,
        **(
            {
                "shop_name": "老绥元烧卖馆",
                "owner_name": "王老板",
                "phone": "13847112345",
                "address": "大召前街12号",
            }
            | merchant
        ),
    )
    session.commit()
    return ProxyWorld(base.community_id, base.shuji, base.admin, agent, merchant_id)


_phone = iter(range(13800000000, 13900000000))


def volunteer(
    session: Session,
    community_id: int,
    name: str = "志愿者",
    *,
    account: Actor | None = None,
    active: bool = True,
) -> int:
    row = Volunteer(
        name=name,
        phone=str(next(_phone)),
        community_id=community_id,
        joined_on=date(2025, 1, 1),
        active=active,
        account_id=account.id if account else None,
    )
    session.add(row)
    session.commit()
    return row.id


def task(
    session: Session,
    community_id: int,
    *,
    capacity: int = 2,
    starts_in: timedelta = timedelta(days=2),
    hours: float = 2,
    status: TaskStatus = TaskStatus.open,
    title: str = "探访独居老人",
) -> int:
    starts = utcnow() + starts_in
    row = Task(
        title=title,
        kind=TaskKind.elder_visit,
        community_id=community_id,
        starts_at=starts,
        ends_at=starts + timedelta(hours=hours),
        capacity=capacity,
        status=status,
    )
    session.add(row)
    session.commit()
    return row.id


def at(task_row: Task, minutes: float) -> datetime:
    """A moment `minutes` after the task starts."""
    return task_row.starts_at + timedelta(minutes=minutes)
