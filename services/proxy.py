"""Proxy services for merchants (红色代办): the merchant registry and requests from intake
to the merchant's rating.

A request moves submitted -> accepted -> in_progress -> done, and may be rejected (with
a reason) at any step before done. Every change is kept with who made it and when.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import pandas as pd
from sqlalchemy import String, and_, case, func, literal, literal_column, or_, type_coerce
from sqlmodel import Session, select

from models.accounts import Account
from models.base import LOCAL_TZ, utcnow
from models.org import Community
from models.proxy import Merchant, ProxyRequest, ProxyRequestChange, ProxyStatus
from models.volunteers import Task, TaskKind, TaskStatus
from services import audit, tasks
from services.access import FIELD, STAFF, Actor, get_scoped, mask_address, mask_phone
from services.checks import valid_phone
from services.db import days_from_date_to_ts, local_bounds, month_of_date
from services.errors import BoardError
from services.i18n import DEFAULT_LANG, translate

KINDS = ("annual_report", "licence", "utilities", "parcels", "elder_care", "policy", "other")
DUE_DAYS = {
    "annual_report": 10,
    "licence": 15,
    "utilities": 3,
    "parcels": 1,
    "elder_care": 2,
    "policy": 5,
    "other": 7,
}
TRANSITIONS = {
    ProxyStatus.submitted: {ProxyStatus.accepted, ProxyStatus.rejected},
    ProxyStatus.accepted: {ProxyStatus.in_progress, ProxyStatus.rejected},
    ProxyStatus.in_progress: {ProxyStatus.done, ProxyStatus.rejected},
    ProxyStatus.done: set(),
    ProxyStatus.rejected: set(),
}
OPEN = (ProxyStatus.submitted, ProxyStatus.accepted, ProxyStatus.in_progress)
AGENT_ROLES = ("secretary", "grid_worker", "volunteer")
ASSIGNED = "assigned"  # a history entry that records a (re)assignment, not a status change
TASK_LIVE = (TaskStatus.draft, TaskStatus.open, TaskStatus.closed, TaskStatus.done)


# --- merchants ------------------------------------------------------------------------


def _merchant_values(
    name, owner, phone, address, business_type, licence_due, annual_report_due, notes
):
    name, owner, address = (name or "").strip(), (owner or "").strip(), (address or "").strip()
    if not name or not owner or not address:
        raise BoardError("proxy.merchant_required")
    return {
        "shop_name": name,
        "owner_name": owner,
        "phone": valid_phone(phone),
        "address": address,
        "business_type": (business_type or "").strip(),
        "licence_due": licence_due,
        "annual_report_due": annual_report_due,
        "notes": (notes or "").strip(),
    }


def merchant_create(
    *,
    session: Session,
    actor: Actor,
    community_id: int,
    shop_name: str,
    owner_name: str,
    phone: str,
    address: str,
    business_type: str = "",
    licence_due: date | None = None,
    annual_report_due: date | None = None,
    notes: str = "",
) -> int:
    actor.require(STAFF)
    actor.require_community(community_id)
    values = _merchant_values(
        shop_name, owner_name, phone, address, business_type, licence_due, annual_report_due, notes
    )
    if session.exec(
        select(Merchant.id).where(
            Merchant.community_id == community_id,
            Merchant.shop_name == values["shop_name"],
            Merchant.active,
        )
    ).first():
        raise BoardError("proxy.merchant_taken", name=values["shop_name"])
    merchant = Merchant(community_id=community_id, **values)
    session.add(merchant)
    audit.record(session, actor_id=actor.id, action="create", row=merchant)
    return merchant.id


def merchant_update(
    *,
    session: Session,
    actor: Actor,
    merchant_id: int,
    shop_name: str,
    owner_name: str,
    phone: str,
    address: str,
    business_type: str,
    licence_due: date | None,
    annual_report_due: date | None,
    notes: str,
    active: bool | None = None,
) -> None:
    """Edits a merchant's details (shop, owner, phone and address required; another
    active merchant of the community may not have the same shop name). `active` is
    kept for old callers; merchant_deactivate / merchant_reactivate say what they do."""
    merchant = get_scoped(session, actor, Merchant, merchant_id)
    values = _merchant_values(
        shop_name, owner_name, phone, address, business_type, licence_due, annual_report_due, notes
    )
    if session.exec(
        select(Merchant.id).where(
            Merchant.community_id == merchant.community_id,
            Merchant.shop_name == values["shop_name"],
            Merchant.active,
            Merchant.id != merchant_id,
        )
    ).first():
        raise BoardError("proxy.merchant_taken", name=values["shop_name"])
    if active is not None:
        values["active"] = active
    audit.apply_changes(session, actor_id=actor.id, row=merchant, values=values)


def merchant_open_requests(*, session: Session, actor: Actor, merchant_id: int) -> int:
    """The merchant's requests not yet done or rejected (said before deactivating)."""
    get_scoped(session, actor, Merchant, merchant_id)
    return session.exec(
        select(func.count())
        .select_from(ProxyRequest)
        .where(ProxyRequest.merchant_id == merchant_id, ProxyRequest.status.in_(OPEN))
    ).one()


def merchant_deactivate(*, session: Session, actor: Actor, merchant_id: int) -> int:
    """The shop closed or left the community: the merchant leaves the registry and the
    filings-due list, and no new request can be taken for it. Its open requests are NOT
    closed: they stay on the board to be finished or rejected one by one (returns how
    many). Never deleted; merchant_reactivate brings it back."""
    merchant = get_scoped(session, actor, Merchant, merchant_id)
    if not merchant.active:
        raise BoardError("proxy.merchant_already_inactive", name=merchant.shop_name)
    audit.apply_changes(session, actor_id=actor.id, row=merchant, values={"active": False})
    return merchant_open_requests(session=session, actor=actor, merchant_id=merchant_id)


def merchant_reactivate(*, session: Session, actor: Actor, merchant_id: int) -> None:
    """Brings a deactivated merchant back (refused if an active merchant of the
    community has taken its shop name meanwhile)."""
    merchant = get_scoped(session, actor, Merchant, merchant_id)
    if merchant.active:
        raise BoardError("proxy.merchant_already_active", name=merchant.shop_name)
    if session.exec(
        select(Merchant.id).where(
            Merchant.community_id == merchant.community_id,
            Merchant.shop_name == merchant.shop_name,
            Merchant.active,
        )
    ).first():
        raise BoardError("proxy.merchant_taken", name=merchant.shop_name)
    audit.apply_changes(session, actor_id=actor.id, row=merchant, values={"active": True})


def merchant_list(
    *, session: Session, actor: Actor, search: str = "", active: bool = True
) -> pd.DataFrame:
    actor.require(FIELD | {"volunteer"})
    stmt = (
        select(Merchant, Community.name)
        .join(Community, Community.id == Merchant.community_id)
        .where(Merchant.active == active)
    )
    ids = actor.community_ids()
    if ids is not None:
        stmt = stmt.where(Merchant.community_id.in_(ids))
    if search.strip():
        like = f"%{search.strip()}%"
        stmt = stmt.where(
            or_(
                Merchant.shop_name.like(like),
                Merchant.owner_name.like(like),
                Merchant.business_type.like(like),
            )
        )
    rows = session.exec(stmt.order_by(Merchant.community_id, Merchant.shop_name).limit(500)).all()
    full = actor.sees_personal_data
    return pd.DataFrame(
        [
            {
                "id": m.id,
                "shop_name": m.shop_name,
                "owner_name": m.owner_name,
                "phone": m.phone if full else mask_phone(m.phone),
                "address": m.address if full else mask_address(m.address),
                "business_type": m.business_type,
                "community": cname,
                "community_id": m.community_id,
                "licence_due": m.licence_due,
                "annual_report_due": m.annual_report_due,
                "notes": m.notes if full else "",
            }
            for m, cname in rows
        ],
        columns=[
            "id",
            "shop_name",
            "owner_name",
            "phone",
            "address",
            "business_type",
            "community",
            "community_id",
            "licence_due",
            "annual_report_due",
            "notes",
        ],
    )


def merchants_due_soon(
    *, session: Session, actor: Actor, today: date, days: int = 30
) -> pd.DataFrame:
    """Merchants whose licence or annual report falls due within `days`: offer help early."""
    actor.require(STAFF)
    horizon = today + timedelta(days=days)
    soon = lambda col: and_(col >= today, col <= horizon)  # noqa: E731
    stmt = (
        select(Merchant, Community.name)
        .join(Community, Community.id == Merchant.community_id)
        .where(Merchant.active, or_(soon(Merchant.licence_due), soon(Merchant.annual_report_due)))
    )
    ids = actor.community_ids()
    if ids is not None:
        stmt = stmt.where(Merchant.community_id.in_(ids))
    rows = []
    for m, cname in session.exec(stmt):
        for what, due in (("licence", m.licence_due), ("annual_report", m.annual_report_due)):
            if due and today <= due <= horizon:
                rows.append(
                    {
                        "id": m.id,
                        "shop_name": m.shop_name,
                        "owner_name": m.owner_name,
                        "phone": m.phone,
                        "community": cname,
                        "what": what,
                        "due": due,
                        "days_left": (due - today).days,
                    }
                )
    frame = pd.DataFrame(
        rows,
        columns=["id", "shop_name", "owner_name", "phone", "community", "what", "due", "days_left"],
    )
    return frame.sort_values("days_left").reset_index(drop=True)


# --- requests -------------------------------------------------------------------------


def _agent_ok(session: Session, agent_id: int | None, community_id: int) -> None:
    if agent_id is None:
        return
    agent = session.get(Account, agent_id)
    if (
        agent is None
        or not agent.active
        or agent.community_id != community_id
        or agent.role not in AGENT_ROLES
    ):
        raise BoardError("proxy.agent_invalid")


def _change(
    session: Session, actor: Actor, request: ProxyRequest, old: str | None, new: str, note: str = ""
) -> None:
    session.add(
        ProxyRequestChange(
            request_id=request.id, from_status=old, to_status=new, by_account_id=actor.id, note=note
        )
    )


def request_create(
    *,
    session: Session,
    actor: Actor,
    merchant_id: int | None,
    kind: str,
    detail: str,
    today: date,
    due_on: date | None = None,
    agent_account_id: int | None = None,
) -> int:
    """Intake. The merchant and what they ask are required; the due date defaults by
    kind, and one in the past is refused. The same request taken in again while the
    first is open (a second press of 受理) is refused, so a double press makes one."""
    actor.require(STAFF)
    if merchant_id is None:
        raise BoardError("proxy.merchant_pick")
    merchant = session.get(Merchant, merchant_id)
    if merchant is None or not merchant.active:
        raise BoardError("proxy.merchant_invalid")
    actor.require_community(merchant.community_id)
    if kind not in KINDS:
        raise BoardError("proxy.kind_invalid")
    detail = (detail or "").strip()
    if not detail:
        raise BoardError("proxy.detail_required")
    same = session.exec(
        select(ProxyRequest.id).where(
            ProxyRequest.merchant_id == merchant_id,
            ProxyRequest.kind == kind,
            ProxyRequest.detail == detail,
            ProxyRequest.status.in_(OPEN),
        )
    ).first()
    if same is not None:
        raise BoardError("proxy.duplicate", id=same)
    due = due_on or today + timedelta(days=DUE_DAYS[kind])
    if due < today:
        raise BoardError("proxy.due_past")
    _agent_ok(session, agent_account_id, merchant.community_id)
    request = ProxyRequest(
        merchant_id=merchant_id,
        community_id=merchant.community_id,
        kind=kind,
        detail=detail,
        requested_on=today,
        due_on=due,
        agent_account_id=agent_account_id,
    )
    session.add(request)
    audit.record(session, actor_id=actor.id, action="create", row=request)
    _change(session, actor, request, None, ProxyStatus.submitted)
    return request.id


def _request_for(session: Session, actor: Actor, request_id: int) -> ProxyRequest:
    request = session.get(ProxyRequest, request_id)
    if request is None:
        raise BoardError("common.not_found")
    actor.require_community(request.community_id)
    if actor.role not in STAFF and request.agent_account_id != actor.id:
        raise BoardError("proxy.not_your_request")
    return request


def request_advance(
    *,
    session: Session,
    actor: Actor,
    request_id: int,
    to_status: ProxyStatus,
    note: str = "",
    now: datetime | None = None,
) -> None:
    """Moves a request one allowed step (staff, or the assigned agent). Rejecting needs a reason."""
    request = _request_for(session, actor, request_id)
    current, target = ProxyStatus(request.status), ProxyStatus(to_status)
    if target not in TRANSITIONS[current]:
        raise BoardError("proxy.transition_invalid", old=current.value, new=target.value)
    values: dict[str, object] = {"status": target}
    if target == ProxyStatus.rejected:
        if not note.strip():
            raise BoardError("proxy.reason_required")
        values["reject_reason"] = note.strip()
    if target == ProxyStatus.done:
        values["done_at"] = now or utcnow()
    # An unassigned request is never taken by an agent on their own: the office assigns it
    # (request_assign). There is no agent flag on accounts, so a shared pool would show every
    # merchant's request to every volunteer of the community.
    audit.apply_changes(session, actor_id=actor.id, row=request, values=values)
    _change(session, actor, request, current, target, note.strip())


def request_assign(
    *, session: Session, actor: Actor, request_id: int, agent_account_id: int | None
) -> None:
    actor.require(STAFF)
    request = _request_for(session, actor, request_id)
    if ProxyStatus(request.status) not in OPEN:
        raise BoardError("proxy.closed")
    _agent_ok(session, agent_account_id, request.community_id)
    if agent_account_id == request.agent_account_id:
        return  # nothing changes, nothing to record
    old_agent = request.agent_account_id
    names = dict(
        session.exec(
            select(Account.id, Account.display_name).where(
                Account.id.in_([i for i in (old_agent, agent_account_id) if i is not None])
            )
        ).all()
    )
    audit.apply_changes(
        session, actor_id=actor.id, row=request, values={"agent_account_id": agent_account_id}
    )
    # The request's own history shows the (re)assignment too, next to the status changes:
    # to_status ASSIGNED marks it, the note names the agents before and after.
    status = ProxyStatus(request.status)
    note = f"{names.get(old_agent, '—')} → {names.get(agent_account_id, '—')}"
    _change(session, actor, request, status, ASSIGNED, note)


def request_rate(
    *, session: Session, actor: Actor, request_id: int, satisfaction: int, feedback: str = ""
) -> None:
    """The merchant's rating (1-5) of a done request; may come later, after a follow-up call."""
    request = _request_for(session, actor, request_id)
    if ProxyStatus(request.status) != ProxyStatus.done:
        raise BoardError("proxy.rate_not_done")
    # a whole number 1-5 (range() also refuses 4.5 and infinity, where int() would
    # round or raise OverflowError)
    if isinstance(satisfaction, bool) or satisfaction not in range(1, 6):
        raise BoardError("proxy.rating_invalid")
    audit.apply_changes(
        session,
        actor_id=actor.id,
        row=request,
        values={"satisfaction": int(satisfaction), "feedback": (feedback or "").strip()},
    )


def request_close(
    *,
    session: Session,
    actor: Actor,
    request_id: int,
    satisfaction: int | None,
    feedback: str = "",
    now: datetime | None = None,
) -> None:
    """Done, with the merchant's rating if they gave one (unrated requests get a follow-up call).
    A comment given without a rating is kept; a rating outside 1-5 (0 too) is refused."""
    request_advance(
        session=session, actor=actor, request_id=request_id, to_status=ProxyStatus.done, now=now
    )
    if satisfaction is None:
        if (feedback or "").strip():
            request = _request_for(session, actor, request_id)
            audit.apply_changes(
                session, actor_id=actor.id, row=request, values={"feedback": feedback.strip()}
            )
    else:
        request_rate(
            session=session,
            actor=actor,
            request_id=request_id,
            satisfaction=satisfaction,
            feedback=feedback,
        )


def request_spawn_task(
    *,
    session: Session,
    actor: Actor,
    request_id: int,
    title: str,
    day: date,
    start: time,
    hours: float = 2,
    capacity: int = 1,
    lang: str = DEFAULT_LANG,
) -> int:
    """A volunteer task for the request (e.g. collecting parcels), in the sign-up flow.

    One live task per request: a second one is refused while the first is not cancelled.
    An empty title becomes "红色代办：<shop>" in `lang`."""
    actor.require(STAFF)
    request = _request_for(session, actor, request_id)
    if ProxyStatus(request.status) not in OPEN:
        raise BoardError("proxy.closed")
    existing = session.exec(
        select(Task.title).where(Task.proxy_request_id == request.id, Task.status.in_(TASK_LIVE))
    ).first()
    if existing is not None:
        raise BoardError("proxy.task_exists", title=existing)
    merchant = session.get(Merchant, request.merchant_id)
    starts = datetime.combine(day, start, LOCAL_TZ)
    return tasks.task_create(
        session=session,
        actor=actor,
        title=(title or "").strip() or translate("proxy.task_title", lang, shop=merchant.shop_name),
        kind=TaskKind.proxy_errand,
        community_id=request.community_id,
        starts_at=starts,
        ends_at=starts + timedelta(hours=hours),
        capacity=capacity,
        place=merchant.address,
        description=request.detail,
        proxy_request_id=request.id,
    )


@dataclass(frozen=True)
class LinkedTask:
    id: int
    title: str
    status: str
    starts_at: datetime
    capacity: int
    taken: int


def request_tasks(*, session: Session, actor: Actor, request_id: int) -> list[LinkedTask]:
    """The volunteer tasks spawned for a request, newest first (cancelled ones too)."""
    _request_for(session, actor, request_id)
    return [
        LinkedTask(
            id=task.id,
            title=task.title,
            status=str(task.status),
            starts_at=task.starts_at,
            capacity=task.capacity,
            taken=task.taken,
        )
        for task in session.exec(
            select(Task).where(Task.proxy_request_id == request_id).order_by(Task.id.desc())
        )
    ]


@dataclass(frozen=True)
class RequestCard:
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


def _cards(actor: Actor, rows, today: date) -> list[RequestCard]:
    full = actor.sees_personal_data
    cards = []
    for r, m, agent, community, *_ in rows:
        mine = r.agent_account_id == actor.id
        cards.append(
            RequestCard(
                id=r.id,
                shop_name=m.shop_name,
                owner_name=m.owner_name,
                phone=m.phone if full or mine else mask_phone(m.phone),
                address=m.address if full or mine else mask_address(m.address),
                kind=r.kind,
                detail=r.detail,
                requested_on=r.requested_on,
                due_on=r.due_on,
                status=str(r.status),
                agent=agent or "",
                agent_id=r.agent_account_id,
                overdue=ProxyStatus(r.status) in OPEN and r.due_on < today,
                satisfaction=r.satisfaction,
                needs_call=ProxyStatus(r.status) == ProxyStatus.done and r.satisfaction is None,
                reject_reason=r.reject_reason,
                community_id=r.community_id,
                community=community,
            )
        )
    return cards


def _request_stmt():
    return (
        select(ProxyRequest, Merchant, Account.display_name, Community.name)
        .join(Merchant, Merchant.id == ProxyRequest.merchant_id)
        .join(Account, Account.id == ProxyRequest.agent_account_id, isouter=True)
        .join(Community, Community.id == ProxyRequest.community_id)
    )


def agent_queue(*, session: Session, actor: Actor, today: date) -> list[RequestCard]:
    """The agent's own open requests, overdue first, then by due date."""
    stmt = _request_stmt().where(
        ProxyRequest.agent_account_id == actor.id, ProxyRequest.status.in_(OPEN)
    )
    stmt = stmt.order_by(ProxyRequest.due_on, ProxyRequest.id).limit(200)
    return _cards(actor, session.exec(stmt), today)


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
    is_open = ProxyRequest.status.in_(OPEN)
    done = ProxyRequest.status == ProxyStatus.done
    recent_rejected = and_(
        ProxyRequest.status == ProxyStatus.rejected, ProxyRequest.requested_on >= since
    )
    word = lambda text: literal_column(f"'{text}'", String)  # noqa: E731
    group = case(
        (is_open, type_coerce(ProxyRequest.status, String)),
        (and_(done, ProxyRequest.satisfaction.is_(None)), word(CALL_BACK)),
        (and_(done, ProxyRequest.done_at >= begin), word(ProxyStatus.done.value)),
        (recent_rejected, word(ProxyStatus.rejected.value)),
    )
    # One ordering serves every group: open ones by due date (so overdue first), the
    # closed ones newest first (by done_at, or by the request date for rejected ones).
    order = (
        case((is_open, ProxyRequest.due_on)).asc(),
        ProxyRequest.done_at.desc(),
        ProxyRequest.requested_on.desc(),
        ProxyRequest.id,
    )
    late = case((and_(is_open, ProxyRequest.due_on < today), 1), else_=0)
    ranked = select(
        ProxyRequest.id.label("rid"),
        group.label("grp"),
        func.row_number().over(partition_by=group, order_by=order).label("rn"),
        func.count().over(partition_by=group).label("total"),
        func.sum(late).over().label("late_total"),
    ).where(
        or_(
            is_open,
            and_(done, or_(ProxyRequest.done_at >= begin, ProxyRequest.satisfaction.is_(None))),
            recent_rejected,
        )
    )
    ids = actor.community_ids()
    if ids is not None:
        ranked = ranked.where(ProxyRequest.community_id.in_(ids))
    ranked = ranked.subquery()
    limit = case((ranked.c.grp.in_([s.value for s in OPEN]), open_limit), else_=closed_limit)
    stmt = (
        _request_stmt()
        .add_columns(ranked.c.grp, ranked.c.total, ranked.c.late_total)
        .join(ranked, ranked.c.rid == ProxyRequest.id)
        .where(ranked.c.rn <= limit)
        .order_by(ranked.c.grp, ranked.c.rn)
    )
    groups: dict[str, list[RequestCard]] = {g: [] for g in BOARD_GROUPS}
    totals = dict.fromkeys(BOARD_GROUPS, 0)
    late_total = 0
    rows = session.exec(stmt).all()
    for card, (*_, grp, total, late) in zip(_cards(actor, rows, today), rows, strict=True):
        groups[grp].append(card)
        totals[grp], late_total = total, late or 0
    return Board(groups=groups, totals=totals, overdue=late_total)


def request_history(*, session: Session, actor: Actor, request_id: int) -> pd.DataFrame:
    _request_for(session, actor, request_id)
    rows = session.exec(
        select(ProxyRequestChange, Account.display_name)
        .join(Account, Account.id == ProxyRequestChange.by_account_id, isouter=True)
        .where(ProxyRequestChange.request_id == request_id)
        .order_by(ProxyRequestChange.at, ProxyRequestChange.id)
    ).all()
    return pd.DataFrame(
        [
            {"at": c.at, "from": c.from_status, "to": c.to_status, "by": name or "", "note": c.note}
            for c, name in rows
        ],
        columns=["at", "from", "to", "by", "note"],
    )


def agent_choices(*, session: Session, actor: Actor, community_id: int) -> list[tuple[int, str]]:
    actor.require(STAFF)
    actor.require_community(community_id)
    return [
        (i, n)
        for i, n in session.exec(
            select(Account.id, Account.display_name)
            .where(
                Account.community_id == community_id, Account.active, Account.role.in_(AGENT_ROLES)
            )
            .order_by(Account.display_name)
        )
    ]


# --- figures and charts -----------------------------------------------------------------


def _scoped(stmt, community_ids):
    return (
        stmt if community_ids is None else stmt.where(ProxyRequest.community_id.in_(community_ids))
    )


def _on_time(session: Session):
    """1 when a request was done by the end of its due day in Asia/Shanghai (16:00 UTC)."""
    late_by = days_from_date_to_ts(session, ProxyRequest.due_on, ProxyRequest.done_at)
    return case((late_by < 16 / 24, 1), else_=0)


def _done_in(session, start: date, end: date):
    begin, finish = local_bounds(start, end)
    return and_(
        ProxyRequest.status == ProxyStatus.done,
        ProxyRequest.done_at >= begin,
        ProxyRequest.done_at < finish,
    )


def proxy_figures(
    *,
    session: Session,
    community_ids: list[int] | None,
    start: date,
    end: date,
    today: date | None = None,
) -> dict:
    """Requests taken in, done (with average rating, on-time rate and median days) in
    [start, end). Sums over the period: `today` (the dashboard's common signature) changes
    nothing."""
    requested = session.exec(
        _scoped(
            select(func.count())
            .select_from(ProxyRequest)
            .where(ProxyRequest.requested_on >= start, ProxyRequest.requested_on < end),
            community_ids,
        )
    ).one()
    done_in = _done_in(session, start, end)
    on_time = _on_time(session)
    done, rating, in_time = session.exec(
        _scoped(
            select(func.count(), func.avg(ProxyRequest.satisfaction), func.sum(on_time)).where(
                done_in
            ),
            community_ids,
        )
    ).one()
    medians = median_days_to_done(
        session=session, community_ids=community_ids, start=start, end=end, by="all"
    )
    return {
        "requests": requested,
        "done": done,
        "satisfaction": round(float(rating), 2) if rating is not None else None,
        "on_time_rate": (in_time or 0) / done if done else None,
        "median_days_to_done": float(medians["median_days"].iloc[0]) if len(medians) else None,
    }


def median_days_to_done(
    *,
    session: Session,
    community_ids: list[int] | None,
    start: date,
    end: date,
    by: str = "community",
) -> pd.DataFrame:
    """Median days from request to done, per community (or agent, or all), in SQL."""
    days = days_from_date_to_ts(session, ProxyRequest.requested_on, ProxyRequest.done_at)
    group = {
        "community": Community.name,
        "agent": func.coalesce(Account.display_name, ""),
        "all": literal("all"),
    }[by]
    ordered = _scoped(
        select(
            group.label("grp"),
            days.label("days"),
            func.row_number().over(partition_by=group, order_by=days).label("rn"),
            func.count().over(partition_by=group).label("cnt"),
        )
        .join(Community, Community.id == ProxyRequest.community_id)
        .join(Account, Account.id == ProxyRequest.agent_account_id, isouter=True)
        .where(_done_in(session, start, end)),
        community_ids,
    ).subquery()
    rows = session.exec(
        select(ordered.c.grp, func.avg(ordered.c.days))
        .where(
            or_(ordered.c.rn == (ordered.c.cnt + 1) / 2, ordered.c.rn == (ordered.c.cnt + 2) / 2)
        )
        .group_by(ordered.c.grp)
        .order_by(ordered.c.grp)
    ).all()
    return pd.DataFrame(
        [{by: g, "median_days": round(float(d), 1)} for g, d in rows], columns=[by, "median_days"]
    )


def requests_by_month(
    *, session: Session, community_ids: list[int] | None, start: date, end: date
) -> pd.DataFrame:
    """Requests taken in per month and kind (kind codes)."""
    month = month_of_date(session, ProxyRequest.requested_on)
    rows = session.exec(
        _scoped(
            select(month, ProxyRequest.kind, func.count())
            .where(ProxyRequest.requested_on >= start, ProxyRequest.requested_on < end)
            .group_by(month, ProxyRequest.kind)
            .order_by(month),
            community_ids,
        )
    ).all()
    return pd.DataFrame(rows, columns=["month", "kind", "requests"])


def service_quality(
    *,
    session: Session,
    community_ids: list[int] | None,
    start: date,
    end: date,
    by: str = "community",
) -> pd.DataFrame:
    """Per community (or per agent, for staff pages only): done, on-time rate, average rating."""
    group = Community.name if by == "community" else func.coalesce(Account.display_name, "")
    on_time = _on_time(session)
    rows = session.exec(
        _scoped(
            select(group, func.count(), func.sum(on_time), func.avg(ProxyRequest.satisfaction))
            .join(Community, Community.id == ProxyRequest.community_id)
            .join(Account, Account.id == ProxyRequest.agent_account_id, isouter=True)
            .where(_done_in(session, start, end))
            .group_by(group)
            .order_by(group),
            community_ids,
        )
    ).all()
    frame = pd.DataFrame(rows, columns=[by, "done", "on_time", "satisfaction"])
    frame["on_time_rate"] = (frame["on_time"] / frame["done"]).round(3)
    frame["satisfaction"] = frame["satisfaction"].astype(float).round(2)
    medians = median_days_to_done(
        session=session, community_ids=community_ids, start=start, end=end, by=by
    )
    return frame.drop(columns=["on_time"]).merge(medians, on=by, how="left")
