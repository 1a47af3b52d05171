"""差评 rectifications (整改) of proxy requests: a merchant's rating of 不满意 or worse
opens one, due a number of working days after the rating (the street's setting, 5 by
default), and a call-back (回访) to the merchant closes it. Also the open ones for the
board, overdue flagged.

The rating itself is services.proxy (request_rate); the rectification rate is
services.proxy_figures (rectification_rate).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from models.accounts import Account, Role
from models.base import local, utcnow
from models.org import Community, Street
from models.proxy import CallBackOutcome, Merchant, ProxyRectification, ProxyRequest
from services import audit
from services.access import STAFF, Actor, get_scoped
from services.errors import BoardError
from services.org import street_row
from services.working_days import add_working_days

BAD_RATING = 2  # 不满意 (2) and 非常不满意 (1) are 差评
DEFAULT_DAYS = 5
DAYS_ALLOWED = range(1, 31)  # local practice is 5 to 15 working days


def is_bad(rating: int | None) -> bool:
    """A 差评: 不满意 or worse."""
    return rating is not None and rating <= BAD_RATING


def rectification_days(*, session: Session) -> int:
    """The working days a 差评's rectification has (the street's setting)."""
    days = session.exec(select(Street.rectification_days).order_by(col(Street.id))).first()
    return DEFAULT_DAYS if days is None else days


def set_rectification_days(*, session: Session, actor: Actor, days: int) -> None:
    """The street admin sets how many working days a rectification has (1-30)."""
    actor.require(frozenset({Role.admin}))
    if isinstance(days, bool) or days not in DAYS_ALLOWED:
        raise BoardError("rectification.days_invalid")
    audit.apply_changes(
        session, actor_id=actor.id, row=street_row(session), values={"rectification_days": days}
    )


def open_rectification(
    session: Session, actor: Actor, request: ProxyRequest, rated_at: datetime
) -> None:
    """Opens the rectification of a request just rated 差评: due N working days after the
    local day of the rating (that day not counted)."""
    opened_on = local(rated_at).date()
    row = ProxyRectification(
        request_id=request.id,
        community_id=request.community_id,
        opened_on=opened_on,
        deadline=add_working_days(opened_on, rectification_days(session=session)),
    )
    session.add(row)
    audit.record(session, actor_id=actor.id, action="create", row=row)


def record_call_back(
    *,
    session: Session,
    actor: Actor,
    rectification_id: int,
    outcome: CallBackOutcome | str,
    note: str,
    now: datetime | None = None,
) -> None:
    """The call-back to the merchant after the rectification (staff): when (now), by
    whom (the actor), what it found and a note of what was done, both required. It
    closes the rectification; a closed one takes no second call-back."""
    row = get_scoped(session, actor, ProxyRectification, rectification_id)
    if row.called_at is not None:
        raise BoardError("rectification.closed")
    if outcome not in {o.value for o in CallBackOutcome}:
        raise BoardError("rectification.outcome_invalid")
    note = (note or "").strip()
    if not note:
        raise BoardError("rectification.note_required")
    audit.apply_changes(
        session,
        actor_id=actor.id,
        row=row,
        values={
            "called_at": now or utcnow(),
            "called_by_account_id": actor.id,
            "outcome": CallBackOutcome(outcome),
            "note": note,
        },
    )


@dataclass(frozen=True)
class OpenRectification:
    """An open rectification as the board lists it."""

    id: int
    request_id: int
    shop_name: str
    community: str
    kind: str  # the request's kind
    agent: str
    rating: int
    feedback: str
    opened_on: date
    deadline: date
    days_left: int  # negative once overdue

    @property
    def overdue(self) -> bool:
        return self.days_left < 0


def open_rectifications(*, session: Session, actor: Actor, today: date) -> list[OpenRectification]:
    """Rectifications still waiting for their call-back, nearest deadline first (so
    the overdue ones first), in the actor's communities; at most 200."""
    actor.require(STAFF)
    stmt = (
        select(ProxyRectification, ProxyRequest, Merchant.shop_name, Community.name)
        .join(ProxyRequest, col(ProxyRequest.id) == col(ProxyRectification.request_id))
        .join(Merchant, col(Merchant.id) == col(ProxyRequest.merchant_id))
        .join(Community, col(Community.id) == col(ProxyRectification.community_id))
        .where(col(ProxyRectification.called_at).is_(None))
        .order_by(col(ProxyRectification.deadline), col(ProxyRectification.id))
        .limit(200)
    )
    ids = actor.community_ids()
    if ids is not None:
        stmt = stmt.where(col(ProxyRectification.community_id).in_(ids))
    rows = session.exec(stmt).all()
    agent_ids = {r.agent_account_id for _, r, _, _ in rows if r.agent_account_id is not None}
    agents: dict[int | None, str] = dict(
        session.exec(
            select(Account.id, Account.display_name).where(col(Account.id).in_(agent_ids))
        ).all()
    )
    result = []
    for rect, request, shop, community in rows:
        assert request.satisfaction is not None  # a rectification is opened by a rating
        result.append(
            OpenRectification(
                id=rect.id,
                request_id=request.id,
                shop_name=shop,
                community=community,
                kind=request.kind,
                agent=agents.get(request.agent_account_id, ""),
                rating=request.satisfaction,
                feedback=request.feedback,
                opened_on=rect.opened_on,
                deadline=rect.deadline,
                days_left=(rect.deadline - today).days,
            )
        )
    return result
