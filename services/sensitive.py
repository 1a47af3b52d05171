"""Sensitive personal information of an elder (个人信息保护法 art. 28) and who may see it.

What is sensitive: the elder's health notes and care level, the living situations that
tell of health, disability or hardship (失能, 失智, 重残, 特困 and 计生特殊: a family that
lost its only child or whose only child is disabled, a 特定身份 whose disclosure can hurt
the family's dignity as much as a diagnosis), and a visit's 健康 and 经济 areas (their
ticked items as much as their notes: "needs a doctor" or "hardship" is the sensitive fact
itself). 独居, 空巢 and 留守 are not: everyone who visits needs them, and the tiers name them.

Who may see it: staff (secretary, admin, within their scope as ever) and the accounts
assigned to visit that elder (ElderVisitor), grid workers and volunteers alike. Services
that hand an elder or their visits to a page strip the rest here, so no page can show what
its reader may not see. Exports leave it out unless staff opt in (register_exports).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace

from sqlmodel import Session, col, select

from models.elders import ElderVisitor
from services.access import Actor
from services.visit_content import Checklist, VisitContent
from services.visit_policy import Conditions

SENSITIVE_SITUATIONS = frozenset({"失能", "失智", "重残", "特困", "计生特殊"})
SENSITIVE_AREAS = ("health", "economy")  # a visit's content areas that are sensitive


def sensitive_visible(session: Session, actor: Actor, elder_ids: Collection[int]) -> set[int]:
    """Of `elder_ids` (already in the actor's scope), those whose sensitive fields the
    actor may see: all of them for staff, the ones they are assigned to for anyone else."""
    if actor.sees_personal_data:
        return set(elder_ids)
    if not elder_ids:
        return set()
    return set(
        session.exec(
            select(col(ElderVisitor.elder_id)).where(
                ElderVisitor.account_id == actor.id, col(ElderVisitor.elder_id).in_(elder_ids)
            )
        )
    )


def may_see_sensitive(session: Session, actor: Actor, elder_id: int) -> bool:
    """Whether the actor may see the sensitive fields of the elder `elder_id`."""
    return elder_id in sensitive_visible(session, actor, [elder_id])


def open_situations(situations: Sequence[str]) -> list[str]:
    """The situations anyone who may open the elder may see."""
    return [s for s in situations if s not in SENSITIVE_SITUATIONS]


def open_situations_text(stored: str) -> str:
    """The stored comma-separated situations without the sensitive ones."""
    return ",".join(open_situations(stored.split(",")))


def reason_is_sensitive(reason: Conditions | None) -> bool:
    """A tier's reason that tells a sensitive fact (a care level, 失能, …)."""
    return reason is not None and (
        reason.care is not None or any(s in SENSITIVE_SITUATIONS for s in reason.situations)
    )


def open_content(content: VisitContent) -> VisitContent:
    """A visit's content without its sensitive areas."""
    return replace(content, **{area: Checklist() for area in SENSITIVE_AREAS})
