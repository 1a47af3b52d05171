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
from models.proxy import Merchant, ProxyRequest, ProxyRequestChange, ProxyStatus
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
    """The secretary's board, in one query: every open request counted and (up to
    `open_limit` per status, overdue first, then by due date) shown; done requests without
    a rating as their own call-back group, and those done or rejected in the last
    `recent_days`, newest first, `closed_limit` each."""
    actor.require(STAFF)
    since = today - timedelta(days=recent_days)
    begin, _ = local_bounds(since, today)
    status, done_at = col(ProxyRequest.status), col(ProxyRequest.done_at)
    satisfaction, due_on = col(ProxyRequest.satisfaction), col(ProxyRequest.due_on)
    is_open = status.in_(OPEN)
    done = status == ProxyStatus.done
    recent_rejected = and_(status == ProxyStatus.rejected, col(ProxyRequest.requested_on) >= since)

    def word(text: str) -> ColumnElement[str]:
        return literal_column(f"'{text}'", String)

    group = case(
        (is_open, type_coerce(status, String)),
        (and_(done, satisfaction.is_(None)), word(CALL_BACK)),
        (and_(done, done_at >= begin), word(ProxyStatus.done.value)),
        (recent_rejected, word(ProxyStatus.rejected.value)),
    )
    # One ordering serves every group: open ones by due date (so overdue first), the
    # closed ones newest first (by done_at, or by the request date for rejected ones).
    order = (
        case((is_open, due_on)).asc(),
        done_at.desc(),
        col(ProxyRequest.requested_on).desc(),
        col(ProxyRequest.id),
    )
    late = case((and_(is_open, due_on < today), 1), else_=0)
    ranked = (
        select(
            col(ProxyRequest.id).label("rid"),
            group.label("grp"),
            func.row_number().over(partition_by=group, order_by=order).label("rn"),
            func.count().over(partition_by=group).label("total"),
        )
        .add_columns(func.sum(late).over().label("late_total"))
        .where(
            or_(
                is_open,
                and_(done, or_(done_at >= begin, satisfaction.is_(None))),
                recent_rejected,
            )
        )
    )
    ids = actor.community_ids()
    if ids is not None:
        ranked = ranked.where(col(ProxyRequest.community_id).in_(ids))
    shown = ranked.subquery()
    limit = case((shown.c.grp.in_([s.value for s in OPEN]), open_limit), else_=closed_limit)
    # sqlmodel's select() types at most four columns; here the card's four and the
    # group, its total and the overdue count are named by the Select type itself
    board_select = Select[ProxyRequest, Merchant, str | None, str, str, int, int | None]
    stmt = (
        _joined(
            board_select(
                ProxyRequest,
                Merchant,
                col(Account.display_name),
                col(Community.name),
                shown.c.grp,
                shown.c.total,
                shown.c.late_total,
            )
        )
        .join(shown, shown.c.rid == ProxyRequest.id)
        .where(shown.c.rn <= limit)
        .order_by(shown.c.grp, shown.c.rn)
    )
    groups: dict[str, list[RequestCard]] = {g: [] for g in BOARD_GROUPS}
    totals = dict.fromkeys(BOARD_GROUPS, 0)
    late_total = 0
    for request, merchant, agent, community, grp, total, late_n in session.exec(stmt):
        groups[grp].append(_card(actor, today, request, merchant, agent, community))
        totals[grp], late_total = total, late_n or 0
    return Board(groups=groups, totals=totals, overdue=late_total)


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
