"""The visit tiers (探访分级): data the office edits, not code.

A tier is a name, an interval in days and condition sets. A condition set holds when all
the conditions it gives hold: age at least N, any of some living situations, care level
at least N. A tier matches an elder when any of its condition sets holds; a tier with no
condition set matches everyone (the default tier: every set of tiers has exactly one).
The most frequent matching tier wins (ties: the tier listed first).

The street's tiers have no community; a community that keeps tiers of its own uses only
its own (started as a copy of the street's), and can go back to the street's.

The rule is written twice, tested to agree for every elder of the demo: in Python
(`place`: which tier and why, for the pages) and in SQL (`interval_expr`: every list,
count and rate).

Not here: when an elder is due (services/visit_plan.py).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import ColumnElement, case, literal, or_
from sqlmodel import Session, col, select

from models.elders import LIVING_SITUATIONS, Elder, VisitTier
from models.org import Community
from services import audit
from services.access import STAFF, Actor
from services.db import smallest
from services.errors import BoardError

NEVER = 10_000  # days: a tier that does not match


@dataclass(frozen=True)
class Conditions:
    """One condition set: every condition given must hold."""

    age: int | None = None  # at least
    situations: tuple[str, ...] = ()  # any of
    care: int | None = None  # care level at least

    @property
    def empty(self) -> bool:
        return self.age is None and not self.situations and self.care is None

    def holds(self, age: int, situations: Sequence[str], care_level: int) -> bool:
        return (
            (self.age is None or age >= self.age)
            and (not self.situations or any(s in situations for s in self.situations))
            and (self.care is None or care_level >= self.care)
        )

    def sql(self, today: date) -> ColumnElement[bool]:
        """The twin of holds, over Elder (the age counted on `today`)."""
        terms: list[ColumnElement[bool]] = []
        if self.age is not None:
            terms.append(col(Elder.birth_date) <= born_by(today, self.age))
        if self.situations:
            tagged = literal(",") + col(Elder.situations) + literal(",")
            terms.append(or_(*[tagged.like(f"%,{s},%") for s in self.situations]))
        if self.care is not None:
            terms.append(col(Elder.care_level) >= self.care)
        condition = terms[0]
        for term in terms[1:]:
            condition = condition & term
        return condition

    def as_dict(self) -> dict:
        values: dict[str, object] = {}
        if self.age is not None:
            values["age"] = self.age
        if self.situations:
            values["situations"] = list(self.situations)
        if self.care is not None:
            values["care"] = self.care
        return values


@dataclass(frozen=True)
class Tier:
    id: int | None
    name: str
    interval_days: int
    condition_sets: tuple[Conditions, ...] = ()

    @property
    def is_default(self) -> bool:
        return not self.condition_sets

    def matching(self, age: int, situations: Sequence[str], care_level: int) -> Conditions | None:
        """The first condition set that holds (None: none holds, or the default tier)."""
        return next((c for c in self.condition_sets if c.holds(age, situations, care_level)), None)


@dataclass(frozen=True)
class Placement:
    """The tier an elder is in, and why: the condition set that matched (None: the
    default tier, which matches everyone)."""

    tier: Tier
    reason: Conditions | None

    @property
    def interval(self) -> int:
        return self.tier.interval_days


# After the tiered local practice: 高风险 weekly, 重点 monthly, 一般 quarterly.
DEFAULT_TIERS = (
    Tier(
        None,
        "高风险",
        7,
        (
            Conditions(age=80, situations=("独居", "空巢", "留守")),
            Conditions(situations=("失智",)),
            Conditions(care=3),
        ),
    ),
    Tier(None, "重点", 30, (Conditions(situations=("失能", "重残", "计生特殊", "特困")),)),
    Tier(None, "一般", 90),
)

Policy = dict[int | None, list[Tier]]  # None: the street's tiers; a community's own


def born_by(today: date, age: int) -> date:
    """The latest birth date of someone `age` or older on `today` (29 February: 28th)."""
    try:
        return today.replace(year=today.year - age)
    except ValueError:  # 29 February
        return today.replace(year=today.year - age, day=28)


def conditions_json(condition_sets: Sequence[Conditions]) -> str:
    return json.dumps([c.as_dict() for c in condition_sets], ensure_ascii=False)


def _conditions_of(stored: str) -> tuple[Conditions, ...]:
    return tuple(
        Conditions(c.get("age"), tuple(c.get("situations", ())), c.get("care"))
        for c in json.loads(stored or "[]")
    )


def _tier(row: VisitTier) -> Tier:
    return Tier(row.id, row.name, row.interval_days, _conditions_of(row.conditions))


def can_edit_policy(actor: Actor) -> bool:
    """Who may edit the tiers: staff (the street's tiers: the street admin)."""
    return actor.role in STAFF


def _add_tier(session: Session, community_id: int | None, tier: Tier) -> VisitTier:
    row = VisitTier(
        community_id=community_id,
        name=tier.name,
        interval_days=tier.interval_days,
        conditions=conditions_json(tier.condition_sets),
    )
    session.add(row)
    return row


def ensure_defaults(session: Session) -> None:
    """The street's default tiers, on a database that has no tier yet."""
    if session.exec(select(VisitTier.id)).first() is None:
        for tier in DEFAULT_TIERS:
            _add_tier(session, None, tier)
        session.flush()


def effective_policy(session: Session) -> Policy:
    """{None: the street's tiers, community id: its own tiers (communities that keep
    their own only)}, each ordered as listed (by interval, then age of the tier)."""
    rows = session.exec(
        select(VisitTier)
        .where(VisitTier.active)
        .order_by(col(VisitTier.interval_days), col(VisitTier.id))
    ).all()
    policy: Policy = {None: []}
    for row in rows:
        policy.setdefault(row.community_id, []).append(_tier(row))
    if not policy[None]:
        policy[None] = list(DEFAULT_TIERS)
    return policy


def tiers_for(policy: Policy, community_id: int) -> list[Tier]:
    """The tiers that apply in a community: its own, else the street's."""
    return policy.get(community_id) or policy[None]


def place(tiers: Sequence[Tier], age: int, situations: Sequence[str], care_level: int) -> Placement:
    """One elder's tier and why (the Python twin of interval_expr)."""
    best: Placement | None = None
    for tier in tiers:
        reason = tier.matching(age, situations, care_level)
        if (reason is not None or tier.is_default) and (
            best is None or tier.interval_days < best.interval
        ):
            best = Placement(tier, reason)
    if best is None:
        raise BoardError("elders.default_required")
    return best


def _set_terms(tiers: Sequence[Tier], today: date) -> list[ColumnElement[int]]:
    terms: list[ColumnElement[int]] = []
    for tier in tiers:
        if tier.is_default:
            terms.append(literal(tier.interval_days))
        else:
            matches = or_(*[c.sql(today) for c in tier.condition_sets])
            terms.append(case((matches, tier.interval_days), else_=NEVER))
    return terms


def interval_expr(session: Session, today: date) -> ColumnElement[int]:
    """SQL for each elder's interval in days, from the tiers: no Python loop (the twin
    of place)."""
    policy = effective_policy(session)

    def one(tiers: Sequence[Tier]) -> ColumnElement[int]:
        terms = _set_terms(tiers, today) or [literal(NEVER)]
        return terms[0] if len(terms) == 1 else smallest(session, *terms)

    street = one(policy[None])
    own = {cid: one(tiers) for cid, tiers in policy.items() if cid is not None}
    if not own:
        return street
    return case(own, value=Elder.community_id, else_=street)


# --- editing --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PolicyView:
    """The tiers in force for the street or one community, as the editor shows them."""

    community_id: int | None
    own: bool  # the community keeps tiers of its own (the street: always)
    tiers: list[Tier] = field(default_factory=list)
    street_tiers: list[Tier] = field(default_factory=list)

    @property
    def can_start_own(self) -> bool:
        return self.community_id is not None and not self.own

    @property
    def can_go_back(self) -> bool:
        return self.community_id is not None and self.own

    @property
    def editable(self) -> bool:
        """The set is the one asked for and stored (a board before its first street step
        shows the default tiers, not yet stored: read only)."""
        return self.own and all(t.id is not None for t in self.tiers)


def _check_scope(session: Session, actor: Actor, community_id: int | None) -> None:
    actor.require(STAFF)
    if community_id is None:
        if not actor.is_street_admin:
            raise BoardError("access.denied")
    else:
        actor.require_community(community_id)
        if session.get(Community, community_id) is None:
            raise BoardError("common.not_found")


def policy_view(*, session: Session, actor: Actor, community_id: int | None) -> PolicyView:
    actor.require(STAFF)
    if community_id is not None:
        actor.require_community(community_id)
    policy = effective_policy(session)
    if community_id is None:
        return PolicyView(None, True, policy[None], policy[None])
    own = policy.get(community_id, [])
    return PolicyView(community_id, bool(own), own or policy[None], policy[None])


def own_tiers_start(*, session: Session, actor: Actor, community_id: int) -> None:
    """The community keeps tiers of its own, starting from a copy of the street's."""
    _check_scope(session, actor, community_id)
    policy = effective_policy(session)
    if community_id in policy:
        return
    for tier in policy[None]:
        row = _add_tier(session, community_id, tier)
        audit.record(session, actor_id=actor.id, action="create", row=row)


def own_tiers_drop(*, session: Session, actor: Actor, community_id: int) -> None:
    """The community goes back to the street's tiers (its own are kept, inactive)."""
    _check_scope(session, actor, community_id)
    for row in _rows(session, community_id):
        audit.apply_changes(session, actor_id=actor.id, row=row, values={"active": False})


def _rows(session: Session, community_id: int | None) -> list[VisitTier]:
    return list(
        session.exec(
            select(VisitTier).where(
                col(VisitTier.community_id).is_(None)
                if community_id is None
                else col(VisitTier.community_id) == community_id,
                VisitTier.active,
            )
        ).all()
    )


def _checked(name: str, interval_days: int, condition_sets: Sequence[Conditions]) -> list:
    if not (name or "").strip():
        raise BoardError("elders.tier_name_required")
    if not 1 <= interval_days <= 366:
        raise BoardError("elders.interval_invalid")
    kept = []
    for c in condition_sets:
        if c.empty:
            continue
        if c.age is not None and not 0 <= c.age <= 120:
            raise BoardError("elders.tier_age_invalid")
        if c.care is not None and not 1 <= c.care <= 4:
            raise BoardError("elders.tier_care_invalid")
        unknown = [s for s in c.situations if s not in LIVING_SITUATIONS]
        if unknown:
            raise BoardError("elders.situation_unknown", value=unknown[0])
        ordered = tuple(s for s in LIVING_SITUATIONS if s in c.situations)
        kept.append(Conditions(c.age, ordered, c.care))
    return kept


def tier_save(
    *,
    session: Session,
    actor: Actor,
    community_id: int | None,
    tier_id: int | None,
    name: str,
    interval_days: int,
    condition_sets: Sequence[Conditions],
) -> int:
    """Adds a tier (tier_id None) or changes one, in the street's set or a community's
    own. Every set keeps exactly one default tier (no condition set)."""
    _check_scope(session, actor, community_id)
    ensure_defaults(session)
    kept = _checked(name, interval_days, condition_sets)
    rows = _rows(session, community_id)
    if community_id is not None and not rows:
        raise BoardError("elders.tier_own_first")
    row = next((r for r in rows if r.id == tier_id), None)
    if tier_id is not None and row is None:
        raise BoardError("common.not_found")
    others = [r for r in rows if r is not row]
    if any(r.name == name.strip() for r in others):
        raise BoardError("elders.tier_name_taken", name=name.strip())
    other_defaults = [r for r in others if not _conditions_of(r.conditions)]
    if not kept and other_defaults:
        raise BoardError("elders.default_exists", name=other_defaults[0].name)
    if kept and not other_defaults:
        raise BoardError("elders.default_required")
    tier = Tier(tier_id, name.strip(), interval_days, tuple(kept))
    if row is None:
        row = _add_tier(session, community_id, tier)
        audit.record(session, actor_id=actor.id, action="create", row=row)
    else:
        values = {
            "name": tier.name,
            "interval_days": tier.interval_days,
            "conditions": conditions_json(tier.condition_sets),
        }
        audit.apply_changes(session, actor_id=actor.id, row=row, values=values)
    return row.id


def tier_remove(*, session: Session, actor: Actor, tier_id: int) -> None:
    """Takes a tier out of force (kept, inactive); the default tier stays."""
    row = session.get(VisitTier, tier_id)
    if row is None or not row.active:
        raise BoardError("common.not_found")
    _check_scope(session, actor, row.community_id)
    if not _conditions_of(row.conditions):
        raise BoardError("elders.default_required")
    audit.apply_changes(session, actor_id=actor.id, row=row, values={"active": False})
