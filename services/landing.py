"""Where a signed-in person lands, and the pages of their bottom bar on a phone.

A volunteer lands on 我的任务 (what they signed up for); a volunteer who has open proxy
requests assigned (a 红色代办员) lands on their queue, since those have deadlines. Other
roles land on their usual home page (services/access.py HOME_PAGE).

The bottom bar holds the two or three pages a role uses most on a phone: a page is in
it only while the role may open it (a page added later, such as 消息, joins the
volunteer's bar once it is registered in PAGES).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from models.accounts import Role
from models.proxy import ProxyRequest
from services.access import HOME_PAGE, Actor, can_view
from services.proxy import OPEN

AGENT_HOME = "proxy_queue"
VOLUNTEER_BAR = ("open_tasks", "my_tasks", "messages")
AGENT_BAR = ("proxy_queue", "my_tasks", "messages")
GRID_WORKER_BAR = ("visit_record", "elders", "tasks")
_BARS = {Role.volunteer: VOLUNTEER_BAR, Role.grid_worker: GRID_WORKER_BAR}


@dataclass(frozen=True)
class Landing:
    home: str  # the page key served at "/"
    bar: tuple[str, ...]  # the bottom bar's page keys, in order; () for none


def _registered(role: Role, keys: tuple[str, ...]) -> tuple[str, ...]:
    found = []
    for key in keys:
        try:
            if can_view(role, key):
                found.append(key)
        except KeyError:  # not a page (yet)
            continue
    return tuple(found)


def is_agent(*, session: Session, actor: Actor) -> bool:
    """A volunteer with an open proxy request given to them."""
    if actor.role != Role.volunteer:
        return False
    stmt = select(ProxyRequest.id).where(
        col(ProxyRequest.agent_account_id) == actor.id, col(ProxyRequest.status).in_(OPEN)
    )
    return session.exec(stmt.limit(1)).first() is not None


def landing(*, session: Session, actor: Actor) -> Landing:
    """The actor's home page and bottom bar (see the module's docstring)."""
    if is_agent(session=session, actor=actor):
        return Landing(AGENT_HOME, _registered(actor.role, AGENT_BAR))
    return Landing(HOME_PAGE[actor.role], _registered(actor.role, _BARS.get(actor.role, ())))
