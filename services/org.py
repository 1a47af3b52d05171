"""Communities and grids: the scope every other list is filtered by."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from models.org import Community, Grid
from services.access import Actor


@dataclass(frozen=True)
class CommunityRow:
    id: int
    name: str
    street: str
    district: str


@dataclass(frozen=True)
class GridRow:
    id: int
    community_id: int
    name: str


def community_list(*, session: Session, actor: Actor) -> list[CommunityRow]:
    """The communities this actor works in: all of them for the street admin."""
    stmt = select(Community).where(Community.active).order_by(Community.id)
    ids = actor.community_ids()
    if ids is not None:
        stmt = stmt.where(Community.id.in_(ids))
    return [CommunityRow(c.id, c.name, c.street, c.district) for c in session.exec(stmt)]


def grid_list(*, session: Session, actor: Actor, community_id: int | None = None) -> list[GridRow]:
    stmt = select(Grid).order_by(Grid.community_id, Grid.name)
    ids = actor.community_ids(community_id)
    if ids is not None:
        stmt = stmt.where(Grid.community_id.in_(ids))
    return [GridRow(g.id, g.community_id, g.name) for g in session.exec(stmt)]
