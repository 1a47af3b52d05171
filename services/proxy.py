"""Proxy requests for merchants (红色代办): intake, the state machine and every write to a
request (advance, assign, rate with the five levels of 好差评, close, a volunteer task
for it).

A request moves submitted -> accepted -> in_progress -> done, and may be rejected (with
a reason) at any step before done (TRANSITIONS). Every change is kept with who made it
and when. The merchant registry is services.merchants, the board's and the agent's
reads are services.proxy_board, the figures and charts services.proxy_figures.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlmodel import Session, col, select

from models.accounts import Account, Role
from models.base import LOCAL_TZ, utcnow
from models.proxy import Merchant, ProxyRequest, ProxyRequestChange, ProxyStatus
from models.volunteers import Task, TaskKind, TaskStatus
from services import audit, rectifications, tasks
from services.access import STAFF, Actor
from services.errors import BoardError
from services.i18n import DEFAULT_LANG, translate

KINDS = (
    "annual_report",
    "tax_settlement",
    "licence",
    "utilities",
    "parcels",
    "elder_care",
    "policy",
    "other",
)
DUE_DAYS = {
    "annual_report": 10,
    "tax_settlement": 10,
    "licence": 15,
    "utilities": 3,
    "parcels": 1,
    "elder_care": 2,
    "policy": 5,
    "other": 7,
}
TRANSITIONS: dict[ProxyStatus, frozenset[ProxyStatus]] = {
    ProxyStatus.submitted: frozenset({ProxyStatus.accepted, ProxyStatus.rejected}),
    ProxyStatus.accepted: frozenset({ProxyStatus.in_progress, ProxyStatus.rejected}),
    ProxyStatus.in_progress: frozenset({ProxyStatus.done, ProxyStatus.rejected}),
    ProxyStatus.done: frozenset(),
    ProxyStatus.rejected: frozenset(),
}
OPEN = (ProxyStatus.submitted, ProxyStatus.accepted, ProxyStatus.in_progress)
# The five levels of the government service evaluation (好差评), best first:
# 5 非常满意, 4 满意, 3 基本满意, 2 不满意, 1 非常不满意 (the words: proxy.rating.<n>).
RATINGS = (5, 4, 3, 2, 1)
AGENT_ROLES = (Role.secretary, Role.grid_worker, Role.volunteer)
ASSIGNED = "assigned"  # a history entry that records a (re)assignment, not a status change
TASK_LIVE = (TaskStatus.draft, TaskStatus.open, TaskStatus.closed, TaskStatus.done)


def next_statuses(status: ProxyStatus) -> tuple[ProxyStatus, ...]:
    """Where a request in `status` may move next (TRANSITIONS), in the order of the flow."""
    return tuple(s for s in ProxyStatus if s in TRANSITIONS[status])


def works_on(actor: Actor, agent_account_id: int | None) -> bool:
    """Staff work on every request of their communities; anyone else only on the requests
    assigned to them. An unassigned request is never taken by an agent on their own: the
    office assigns it (request_assign). There is no agent flag on accounts, so a shared
    pool would show every merchant's request to every volunteer of the community."""
    return actor.role in STAFF or agent_account_id == actor.id


def load_request(session: Session, actor: Actor, request_id: int) -> ProxyRequest:
    """The request, for an actor who may work on it: refused when missing, in another
    community, or (for an agent) not assigned to them."""
    request = session.get(ProxyRequest, request_id)
    if request is None:
        raise BoardError("common.not_found")
    actor.require_community(request.community_id)
    if not works_on(actor, request.agent_account_id):
        raise BoardError("proxy.not_your_request")
    return request


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
            col(ProxyRequest.status).in_(OPEN),
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
    request = load_request(session, actor, request_id)
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
    audit.apply_changes(session, actor_id=actor.id, row=request, values=values)
    _change(session, actor, request, current, target, note.strip())


def request_assign(
    *, session: Session, actor: Actor, request_id: int, agent_account_id: int | None
) -> None:
    actor.require(STAFF)
    request = load_request(session, actor, request_id)
    if ProxyStatus(request.status) not in OPEN:
        raise BoardError("proxy.closed")
    _agent_ok(session, agent_account_id, request.community_id)
    if agent_account_id == request.agent_account_id:
        return  # nothing changes, nothing to record
    old_agent = request.agent_account_id
    names: dict[int | None, str] = dict(
        session.exec(
            select(Account.id, Account.display_name).where(
                col(Account.id).in_([i for i in (old_agent, agent_account_id) if i is not None])
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
    *,
    session: Session,
    actor: Actor,
    request_id: int,
    satisfaction: int,
    feedback: str = "",
    now: datetime | None = None,
) -> None:
    """The merchant's rating (one of RATINGS) of a done request; may come later, after a
    follow-up call. One rating per request (一事一评): a second one is refused. A 差评
    (不满意 or worse) opens a rectification (services.rectifications)."""
    request = load_request(session, actor, request_id)
    if ProxyStatus(request.status) != ProxyStatus.done:
        raise BoardError("proxy.rate_not_done")
    # a whole number 1-5 (`in` also refuses 4.5 and infinity, where int() would
    # round or raise OverflowError)
    if isinstance(satisfaction, bool) or satisfaction not in RATINGS:
        raise BoardError("proxy.rating_invalid")
    if request.satisfaction is not None:
        raise BoardError("proxy.already_rated")
    rated_at = now or utcnow()
    audit.apply_changes(
        session,
        actor_id=actor.id,
        row=request,
        values={
            "satisfaction": int(satisfaction),
            "rated_at": rated_at,
            "feedback": (feedback or "").strip(),
        },
    )
    if rectifications.is_bad(request.satisfaction):
        rectifications.open_rectification(session, actor, request, rated_at)


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
    A comment given without a rating is kept; a rating outside RATINGS (0 too) is refused."""
    request_advance(
        session=session, actor=actor, request_id=request_id, to_status=ProxyStatus.done, now=now
    )
    if satisfaction is None:
        if (feedback or "").strip():
            request = load_request(session, actor, request_id)
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
            now=now,
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
    request = load_request(session, actor, request_id)
    if ProxyStatus(request.status) not in OPEN:
        raise BoardError("proxy.closed")
    existing = session.exec(
        select(Task.title).where(
            Task.proxy_request_id == request.id, col(Task.status).in_(TASK_LIVE)
        )
    ).first()
    if existing is not None:
        raise BoardError("proxy.task_exists", title=existing)
    merchant = session.get(Merchant, request.merchant_id)
    assert merchant is not None  # a foreign key: every request has its merchant
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
