"""What the secretary's board and the agent's queue read about proxy requests: the
request cards (with what the reader may do with each), the board by group, a request's
history and volunteer tasks, and the agents a request may be given to.

Nothing here writes; the rules and writes are services.proxy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

import pandas as pd
from sqlalchemy import ColumnElement, String, and_, case, func, literal_column, or_, type_coerce
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from models.accounts import Account
from models.org import Community
from models.proxy import (
    Merchant,
    ProxyDoneMonth,
    ProxyRequest,
    ProxyRequestChange,
    ProxyStatus,
)
from models.volunteers import Task
from services.access import STAFF, Actor, mask_address, mask_phone
from services.db import local_bounds
from services.proxy import AGENT_ROLES, OPEN, TASK_LIVE, load_request, next_statuses, works_on


@dataclass(frozen=True)
class LinkedTask:
    id: int
    title: str
    status: str
    starts_at: datetime
    capacity: int
    taken: int
    live: bool  # not cancelled: no second task for the request while it stands


def request_tasks(*, session: Session, actor: Actor, request_id: int) -> list[LinkedTask]:
    """The volunteer tasks spawned for a request, newest first (cancelled ones too)."""
    load_request(session, actor, request_id)
    tasks = session.exec(
        select(Task).where(Task.proxy_request_id == request_id).order_by(col(Task.id).desc())
    )
    return [
        LinkedTask(
            id=task.id,
            title=task.title,
            status=str(task.status),
            starts_at=task.starts_at,
            capacity=task.capacity,
            taken=task.taken,
            live=task.status in TASK_LIVE,
        )
        for task in tasks
    ]


@dataclass(frozen=True)
class RequestCard:
    """A request as the board and the queue show it, with what the reader may do next."""

    id: int
    shop_name: str
    owner_name: str
    phone: str
    address: str
    kind: str
    detail: str
    requested_on: date
    due_on: date
    status: str
    agent: str
    agent_id: int | None
    overdue: bool
    satisfaction: int | None
    needs_call: bool  # done without a rating: call the merchant
    reject_reason: str
    community_id: int
    community: str
    next_statuses: tuple[ProxyStatus, ...]  # where the reader may move it, in the flow's order
    can_assign: bool  # staff, while it is open: give it to an agent (or take it back)
    can_spawn_task: bool  # staff, while it is open: a volunteer task for it (one live)

    @property
    def steps(self) -> tuple[ProxyStatus, ...]:
        """The moves made with one press (accept, start). Closing asks for the merchant's
        rating and rejecting for a reason: see can_close and can_reject."""
        return tuple(
            s for s in self.next_statuses if s not in (ProxyStatus.done, ProxyStatus.rejected)
        )

    @property
    def can_close(self) -> bool:
        return ProxyStatus.done in self.next_statuses

    @property
    def can_reject(self) -> bool:
        return ProxyStatus.rejected in self.next_statuses


def _card(
    actor: Actor,
    today: date,
    r: ProxyRequest,
    m: Merchant,
    agent: str | None,
    community: str,
) -> RequestCard:
    status = ProxyStatus(r.status)
    mine = r.agent_account_id == actor.id
    full = actor.sees_personal_data or mine
    is_open = status in OPEN
    staff_open = is_open and actor.role in STAFF
    return RequestCard(
        id=r.id,
        shop_name=m.shop_name,
        owner_name=m.owner_name,
        phone=m.phone if full else mask_phone(m.phone),
        address=m.address if full else mask_address(m.address),
        kind=r.kind,
        detail=r.detail,
        requested_on=r.requested_on,
        due_on=r.due_on,
        status=str(r.status),
        agent=agent or "",
        agent_id=r.agent_account_id,
        overdue=is_open and r.due_on < today,
        satisfaction=r.satisfaction,
        needs_call=status == ProxyStatus.done and r.satisfaction is None,
        reject_reason=r.reject_reason,
        community_id=r.community_id,
        community=community,
        next_statuses=next_statuses(status) if works_on(actor, r.agent_account_id) else (),
        can_assign=staff_open,
        can_spawn_task=staff_open,
    )


_Stmt = TypeVar("_Stmt", bound=Select[*tuple[Any, ...]])


def _joined(stmt: _Stmt) -> _Stmt:
    """A select of requests joined with their merchant, their agent (if any) and their
    community, for a card's columns: ProxyRequest, Merchant, the agent's and the
    community's name."""
    return (
        stmt.join(Merchant, col(Merchant.id) == col(ProxyRequest.merchant_id))
        .join(Account, col(Account.id) == col(ProxyRequest.agent_account_id), isouter=True)
        .join(Community, col(Community.id) == col(ProxyRequest.community_id))
    )


def agent_queue(*, session: Session, actor: Actor, today: date) -> list[RequestCard]:
    """The agent's own open requests, overdue first, then by due date."""
    stmt = _joined(select(ProxyRequest, Merchant, Account.display_name, Community.name)).where(
        col(ProxyRequest.agent_account_id) == actor.id, col(ProxyRequest.status).in_(OPEN)
    )
    stmt = stmt.order_by(col(ProxyRequest.due_on), col(ProxyRequest.id)).limit(200)
    return [_card(actor, today, *row) for row in session.exec(stmt)]


CALL_BACK = "call_back"  # the board's group of done requests still waiting for a rating
BOARD_GROUPS = (*(st.value for st in OPEN), ProxyStatus.done.value, CALL_BACK, "rejected")


@dataclass(frozen=True)
class Board:
    """The secretary's board. `groups` holds the cards shown per group (each open status,
    recently done and rated, done awaiting a call-back, recently rejected); `totals` how
    many requests each group holds in all, so the page can say how many are not shown."""

    groups: dict[str, list[RequestCard]]
    totals: dict[str, int]
    overdue: int  # open requests past their due date, shown or not

    def hidden(self, group: str) -> int:
        return self.totals[group] - len(self.groups[group])

    def cards(self) -> list[RequestCard]:
        return [c for g in BOARD_GROUPS for c in self.groups[g]]

    @property
    def open_total(self) -> int:
        """Every open request, shown or not."""
        return sum(self.totals[s.value] for s in OPEN)


def request_board(
    *,
    session: Session,
    actor: Actor,
    today: date,
    recent_days: int = 30,
    open_limit: int = 40,
    closed_limit: int = 20,
) -> Board:
    """The secretary's board: every open request counted and (up to `open_limit` per
    status, overdue first, then by due date) shown; done requests without a rating as
    their own call-back group, and those done or rejected in the last `recent_days`,
    newest first, `closed_limit` each.

    Each group is its own query, limited in SQL and served by an index (the open
    statuses, done in a period, waiting for a call-back, rejected recently), so the board
    never reads the requests closed long ago."""
    actor.require(STAFF)
    since = today - timedelta(days=recent_days)
    begin, _ = local_bounds(since, today)
    r = ProxyRequest
    status, done_at = col(r.status), col(r.done_at)
    requested_on = col(r.requested_on)

    def status_is(value: ProxyStatus) -> ColumnElement[bool]:
        # a constant, not a bound parameter: SQLite uses a partial index only then
        return status == literal_column(f"'{value.value}'", String)

    done = status_is(ProxyStatus.done)
    newest = (done_at.desc(), requested_on.desc(), col(r.id))
    wheres: dict[str, ColumnElement[bool]] = {st.value: status_is(st) for st in OPEN}
    wheres[CALL_BACK] = and_(done, col(r.satisfaction).is_(None))
    wheres[ProxyStatus.done.value] = and_(done, col(r.satisfaction).is_not(None), done_at >= begin)
    wheres[ProxyStatus.rejected.value] = and_(
        status_is(ProxyStatus.rejected), requested_on >= since
    )
    ids = actor.community_ids()

    def scoped(where: ColumnElement[bool]) -> ColumnElement[bool]:
        # `+ 0`: the community's requests of all time are not the way in (SQLite, without
        # statistics, would take that index); the status and date indexes are
        return where if ids is None else and_(where, (col(r.community_id) + 0).in_(ids))

    is_open = or_(*(wheres[st.value] for st in OPEN))
    late = func.sum(case((col(r.due_on) < today, 1), else_=0))
    totals = dict.fromkeys(BOARD_GROUPS, 0)
    overdue = 0
    for grp, n, late_n in session.exec(
        select(type_coerce(status, String), func.count(), late)
        .where(scoped(is_open))
        .group_by(status)
    ):
        totals[str(grp)], overdue = n, overdue + (late_n or 0)
    closed = (CALL_BACK, ProxyStatus.done.value, ProxyStatus.rejected.value)
    recent = (ProxyStatus.done.value, ProxyStatus.rejected.value)
    # done and not rated, of all time: every done request is counted in proxy_done_month
    # (kept at every write), so the call-back group holds the done less the rated ones
    m = ProxyDoneMonth
    waiting = select(func.coalesce(func.sum(col(m.done) - col(m.rated)), 0))
    if ids is not None:
        waiting = waiting.where(col(m.community_id).in_(ids))
    counted = session.exec(
        select(
            waiting.scalar_subquery(),
            *(
                select(func.count()).select_from(r).where(scoped(wheres[g])).scalar_subquery()
                for g in recent
            ),
        )
    ).one()
    totals.update((g, int(n)) for g, n in zip(closed, counted, strict=True))
    groups: dict[str, list[RequestCard]] = {}
    for grp in BOARD_GROUPS:
        is_closed = grp in closed
        stmt = _joined(select(ProxyRequest, Merchant, Account.display_name, Community.name))
        stmt = (
            stmt.where(scoped(wheres[grp]))
            .order_by(*newest if is_closed else (col(r.due_on), requested_on.desc(), col(r.id)))
            .limit(closed_limit if is_closed else open_limit)
        )
        groups[grp] = (
            [_card(actor, today, *row) for row in session.exec(stmt)] if totals[grp] else []
        )
    return Board(groups=groups, totals=totals, overdue=overdue)


def request_history(*, session: Session, actor: Actor, request_id: int) -> pd.DataFrame:
    """Every change of the request, oldest first: status changes and (to ASSIGNED)
    reassignments, with who made them and the note (a reason, or the agents)."""
    load_request(session, actor, request_id)
    rows = session.exec(
        select(ProxyRequestChange, Account.display_name)
        .join(Account, col(Account.id) == col(ProxyRequestChange.by_account_id), isouter=True)
        .where(ProxyRequestChange.request_id == request_id)
        .order_by(col(ProxyRequestChange.at), col(ProxyRequestChange.id))
    ).all()
    return pd.DataFrame(
        [
            {"at": c.at, "from": c.from_status, "to": c.to_status, "by": name or "", "note": c.note}
            for c, name in rows
        ],
        columns=["at", "from", "to", "by", "note"],
    )


def agent_choices(*, session: Session, actor: Actor, community_id: int) -> list[tuple[int, str]]:
    """The accounts of the community a request may be given to, by name."""
    actor.require(STAFF)
    actor.require_community(community_id)
    return [
        (i, n)
        for i, n in session.exec(
            select(Account.id, Account.display_name)
            .where(
                Account.community_id == community_id,
                col(Account.active),
                col(Account.role).in_(AGENT_ROLES),
            )
            .order_by(col(Account.display_name))
        )
    ]
