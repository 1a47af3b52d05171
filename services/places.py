"""Where the board's places are: the area a map search for a task's place or an event's
venue is limited to (its community's district, e.g. 赛罕区), since a place typed by staff
(活动室, 3号楼前) means nothing to a map without it."""

from __future__ import annotations

from sqlmodel import Session, select

from models.org import Community


def community_districts(*, session: Session) -> dict[int, str]:
    """Each community's district, by the community's id."""
    return {
        cid: district for cid, district in session.exec(select(Community.id, Community.district))
    }
