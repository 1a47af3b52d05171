"""Visit campaigns (专项探访: 高温, 春节, …): a visit asked of every elder of a group (a
tier, or a living situation) in the actor's communities within N days, and its progress.

The elders asked are the group's active elders on the day the campaign starts (kept, so
the count does not move when a tier is edited later). Visited: a visit that stands (not
voided) from the start to the deadline (start + days) included. Asked: the elders kept,
less those who left care without such a visit. Left: asked and not visited.

Not here: the regular intervals and major changes (services/visit_plan.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import literal
from sqlmodel import Session, col, select

from models.elders import LIVING_SITUATIONS, Elder, Visit, VisitCampaign, VisitCampaignElder
from services import audit
from services.access import STAFF, Actor
from services.elders import LIST_LIMIT, age_on, situations_of
from services.errors import BoardError
from services.visit_policy import effective_policy, place, tiers_for

GROUP_KINDS = ("tier", "situation")
MAX_DAYS = 90


def can_run_campaigns(actor: Actor) -> bool:
    """Staff start campaigns and follow them."""
    return actor.role in STAFF


def tier_names(*, session: Session, actor: Actor) -> list[str]:
    """The names of the tiers in force in the actor's communities (a campaign's groups)."""
    actor.require(STAFF)
    policy = effective_policy(session)
    ids = actor.community_ids()
    sets = list(policy.values()) if ids is None else [tiers_for(policy, i) for i in ids]
    return list(dict.fromkeys(t.name for tiers in sets for t in tiers))


def _members(
    session: Session, ids: list[int] | None, group_kind: str, group_value: str, today: date
) -> list[int]:
    stmt = select(Elder).where(Elder.active)
    if ids is not None:
        stmt = stmt.where(col(Elder.community_id).in_(ids))
    if group_kind == "situation":
        tagged = literal(",") + col(Elder.situations) + literal(",")
        stmt = stmt.where(tagged.like(f"%,{group_value},%"))
    elders = session.exec(stmt.order_by(col(Elder.id))).all()
    if group_kind == "situation":
        return [e.id for e in elders]
    policy = effective_policy(session)
    return [
        e.id
        for e in elders
        if place(
            tiers_for(policy, e.community_id),
            age_on(e.birth_date, today),
            situations_of(e),
            e.care_level,
        ).tier.name
        == group_value
    ]


def campaign_start(
    *,
    session: Session,
    actor: Actor,
    name: str,
    group_kind: str,
    group_value: str,
    days: int,
    today: date,
    community_id: int | None = None,
) -> int:
    """Starts a campaign today for the group in the actor's communities (the street
    admin: the street, or one community)."""
    actor.require(STAFF)
    ids = actor.community_ids(community_id)
    name = (name or "").strip()
    if not name:
        raise BoardError("elders.campaign_name_required")
    if not 1 <= days <= MAX_DAYS:
        raise BoardError("elders.campaign_days_invalid", n=MAX_DAYS)
    if group_kind not in GROUP_KINDS or (
        group_kind == "situation" and group_value not in LIVING_SITUATIONS
    ):
        raise BoardError("elders.campaign_group_invalid")
    if group_kind == "tier" and group_value not in tier_names(session=session, actor=actor):
        raise BoardError("elders.campaign_group_invalid")
    members = _members(session, ids, group_kind, group_value, today)
    if not members:
        raise BoardError("elders.campaign_empty")
    campaign = VisitCampaign(
        community_id=ids[0] if ids and len(ids) == 1 else None,
        name=name,
        group_kind=group_kind,
        group_value=group_value,
        starts_on=today,
        days=days,
        created_by=actor.id,
    )
    session.add(campaign)
    audit.record(session, actor_id=actor.id, action="create", row=campaign)
    for elder_id in members:
        session.add(VisitCampaignElder(campaign_id=campaign.id, elder_id=elder_id))
    return campaign.id


@dataclass(frozen=True)
class CampaignProgress:
    id: int
    name: str
    group_kind: str
    group_value: str
    starts_on: date
    deadline: date
    asked: int
    visited: int
    is_open: bool  # the deadline has not passed on the day it was read
    left: list[tuple[int, str]] = field(default_factory=list)  # (elder id, name) not visited

    @property
    def share(self) -> float:
        return self.visited / self.asked if self.asked else 1.0


def campaign_progress(*, session: Session, actor: Actor, today: date) -> list[CampaignProgress]:
    """The campaigns touching the actor's communities, the latest first, each counted
    over the actor's elders only."""
    actor.require(STAFF)
    ids = actor.community_ids()
    campaigns = session.exec(
        select(VisitCampaign).where(VisitCampaign.active).order_by(col(VisitCampaign.id).desc())
    ).all()
    progress = []
    for c in campaigns:
        if ids is not None and c.community_id is not None and c.community_id not in ids:
            continue
        deadline = c.starts_on + timedelta(days=c.days)
        seen = (
            select(Visit.id)
            .where(
                Visit.elder_id == Elder.id,
                col(Visit.visited_on) >= c.starts_on,
                col(Visit.visited_on) <= deadline,
                ~col(Visit.voided),
            )
            .exists()
        )
        stmt = (
            select(col(Elder.id), col(Elder.name), col(Elder.active), seen)
            .join(VisitCampaignElder, col(VisitCampaignElder.elder_id) == Elder.id)
            .where(VisitCampaignElder.campaign_id == c.id)
            .order_by(col(Elder.name))
        )
        if ids is not None:
            stmt = stmt.where(col(Elder.community_id).in_(ids))
        rows = session.exec(stmt).all()
        if not rows:
            continue
        visited = [r for r in rows if r[3]]
        left = [(r[0], r[1]) for r in rows if not r[3] and r[2]]
        progress.append(
            CampaignProgress(
                id=c.id,
                name=c.name,
                group_kind=c.group_kind,
                group_value=c.group_value,
                starts_on=c.starts_on,
                deadline=deadline,
                asked=len(visited) + len(left),
                visited=len(visited),
                left=left[:LIST_LIMIT],
                is_open=today <= deadline,
            )
        )
    return progress
