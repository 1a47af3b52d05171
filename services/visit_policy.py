"""The visit interval table (探访频次): data the secretary edits, not code.

Rules: a living situation (独居, 失能, …), "age80" (80 or older), a care level ("care2",
"care3", "care4": care level n or higher) and "default". Street-wide rows have no
community; a community's own row for the same rule replaces the street's. An elder's
interval is the shortest of the rules that apply: the most frequent wins.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, case, literal
from sqlmodel import Session, col, select

from models.elders import LIVING_SITUATIONS, Elder, VisitPolicy
from models.org import Community
from services import audit
from services.access import STAFF, Actor
from services.db import smallest
from services.errors import BoardError

CARE_RULES = {"care2": 2, "care3": 3, "care4": 4}  # rule -> the lowest care level it covers
RULES = (*LIVING_SITUATIONS, "age80", *CARE_RULES, "default")
DEFAULTS = {"独居": 7, "失能": 7, "age80": 14, "care3": 7, "default": 30}

Policy = dict[int | None, dict[str, int]]  # community id (None: the street) -> rule -> days


@dataclass(frozen=True)
class PolicyRow:
    rule: str
    street_days: int | None
    community_days: int | None

    @property
    def days(self) -> int | None:
        return self.community_days or self.street_days


def can_edit_policy(actor: Actor) -> bool:
    """Who may edit the interval table: staff (the street's rules: the street admin)."""
    return actor.role in STAFF


def ensure_defaults(session: Session) -> None:
    """The street-wide defaults, on a database that has no policy yet."""
    if session.exec(select(VisitPolicy.id)).first() is None:
        for rule, days in DEFAULTS.items():
            session.add(VisitPolicy(community_id=None, situation=rule, interval_days=days))
        session.flush()


def effective_policy(session: Session) -> Policy:
    """{community_id or None (street): {rule: days}}, the community's rows over the street's."""
    rows = session.exec(select(VisitPolicy)).all()
    street = {r.situation: r.interval_days for r in rows if r.community_id is None}
    if not rows:
        street = dict(DEFAULTS)
    result: Policy = {None: street}
    for r in rows:
        if r.community_id is not None:
            result.setdefault(r.community_id, dict(street))[r.situation] = r.interval_days
    return result


def rules_for(policy: Policy, community_id: int) -> dict[str, int]:
    """The rules that apply in a community: its own, else the street's."""
    return policy.get(community_id, policy[None])


def interval_of(situations: list[str], age: int, rules: dict[str, int], care_level: int = 0) -> int:
    """The interval for one elder (Python twin of interval_expr, used for one elder's page:
    services/visit_plan.elder_interval)."""
    applying = [rules[s] for s in situations if s in rules]
    if age >= 80 and "age80" in rules:
        applying.append(rules["age80"])
    applying += [rules[r] for r, level in CARE_RULES.items() if r in rules and care_level >= level]
    applying.append(rules.get("default", 30))
    return min(applying)


def interval_expr(session: Session, today: date) -> ColumnElement[int]:
    """SQL for each elder's interval in days, from the policy table: no Python loop
    (the twin of interval_of)."""
    policy = effective_policy(session)
    street = policy[None]
    cutoff = _birthday_cutoff(today)

    def days(rule: str) -> ColumnElement[int] | None:
        """A rule's days, varying by community only where a community set its own."""
        own = {
            cid: rules[rule]
            for cid, rules in policy.items()
            if cid and rule in rules and rules[rule] != street.get(rule)
        }
        base = street.get(rule)
        if not own:
            return literal(base) if base else None
        return case(own, value=Elder.community_id, else_=literal(base or 10_000))

    never = literal(10_000)
    default = days("default")
    terms = [default if default is not None else literal(30)]
    for situation in LIVING_SITUATIONS:
        d = days(situation)
        if d is not None:
            tagged = (literal(",") + col(Elder.situations) + literal(",")).like(f"%,{situation},%")
            terms.append(case((tagged, d), else_=never))
    d = days("age80")
    if d is not None:
        terms.append(case((col(Elder.birth_date) <= cutoff, d), else_=never))
    for rule, level in CARE_RULES.items():
        d = days(rule)
        if d is not None:
            terms.append(case((col(Elder.care_level) >= level, d), else_=never))
    return terms[0] if len(terms) == 1 else smallest(session, *terms)


def _birthday_cutoff(today: date) -> date:
    try:
        return today.replace(year=today.year - 80)
    except ValueError:  # 29 February
        return today.replace(year=today.year - 80, day=28)


def policy_table(*, session: Session, actor: Actor, community_id: int | None) -> list[PolicyRow]:
    actor.require(STAFF)
    if community_id is not None:
        actor.require_community(community_id)
    rows = session.exec(select(VisitPolicy)).all()
    street = {r.situation: r.interval_days for r in rows if r.community_id is None} or DEFAULTS
    own = {
        r.situation: r.interval_days
        for r in rows
        if community_id and r.community_id == community_id
    }
    return [PolicyRow(rule, street.get(rule), own.get(rule)) for rule in RULES]


def policy_set(
    *, session: Session, actor: Actor, community_id: int | None, rule: str, days: int | None
) -> None:
    """Sets (or, with days None, removes) a rule for the street (admin) or one community."""
    actor.require(STAFF)
    if rule not in RULES:
        raise BoardError("elders.rule_unknown")
    if community_id is None:
        if not actor.is_street_admin:
            raise BoardError("access.denied")
    else:
        actor.require_community(community_id)
        if session.get(Community, community_id) is None:
            raise BoardError("common.not_found")
    if days is not None and not 1 <= days <= 366:
        raise BoardError("elders.interval_invalid")
    ensure_defaults(session)
    row = session.exec(
        select(VisitPolicy).where(
            VisitPolicy.community_id == community_id, VisitPolicy.situation == rule
        )
    ).first()
    if days is None:
        if row is not None:
            if community_id is None and rule == "default":
                raise BoardError("elders.default_required")
            audit.record(session, actor_id=actor.id, action="remove_rule", row=row)
            session.delete(row)  # a rule, not user data: the audit entry keeps it
        return
    if row is None:
        row = VisitPolicy(community_id=community_id, situation=rule, interval_days=days)
        session.add(row)
        audit.record(session, actor_id=actor.id, action="create", row=row)
    else:
        audit.apply_changes(session, actor_id=actor.id, row=row, values={"interval_days": days})
