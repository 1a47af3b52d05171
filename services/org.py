"""The street, its communities and their grids: the scope every other list is filtered by.

A new office starts with none of them (BOARD_DEMO=0). The street admin names the street,
adds communities (one per line, or pasted from a list) and their grids (第一网格, 第二网格 …
or typed), and hands out the first accounts; each of the first-start steps may be skipped
and done later on the organisation page. A secretary edits only their own community's grids.

Rules:
- Names are trimmed; a community's name is unique in the street, a grid's in its community.
  A list with any bad line (empty after trimming, too long, a duplicate) writes nothing and
  names every bad line.
- Nothing people are filed under is deleted: a community or a grid is deactivated. Only a
  grid that no elder and no volunteer was ever filed under can be removed (a typo made in
  the first minute); its audit entry keeps it.
- The people of a grid (elders and volunteers, active or not) can be moved to another
  active grid of the same community in one step, optionally deactivating the old grid.
- A grid worker is an active grid_worker account of the grid's community.
- A community's person in charge (负责人) and office phone (a landline such as
  0471-6951234, or a mobile), stated on its certificates of volunteer service
  (services/certificates.py), are set by the admin or the community's secretary.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field

from sqlalchemy import func
from sqlmodel import Session, col, select

from models.accounts import Account, Role
from models.elders import Elder
from models.org import SETUP_STEPS, Community, Grid, Street
from models.volunteers import Volunteer
from services import audit, auth, visit_policy, wecom
from services.access import STAFF, Actor
from services.checks import normalise_phone
from services.errors import BoardError

NAME_MAX = 60
PERSON_MAX = 40  # Community.person_in_charge
# An office landline: the area code (010 and 02x have three digits, the others four), the
# number, perhaps an extension; ASCII digits only (services/checks.py).
_LANDLINE = re.compile(r"^(010|02[0-9]|0[3-9][0-9]{2})-?([0-9]{7,8})(?:(?:-|转)([0-9]{1,6}))?$")
SETUP_DONE = len(SETUP_STEPS)
_DIGITS = "零一二三四五六七八九"
_SPLIT = re.compile(r"[\n\r\t,，;；、]+")


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


# --- reads other pages use ------------------------------------------------------


def community_list(*, session: Session, actor: Actor) -> list[CommunityRow]:
    """The active communities this actor works in: all of them for the street admin."""
    stmt = select(Community).where(col(Community.active)).order_by(col(Community.id))
    ids = actor.community_ids()
    if ids is not None:
        stmt = stmt.where(col(Community.id).in_(ids))
    return [CommunityRow(c.id, c.name, c.street, c.district) for c in session.exec(stmt)]


def grid_list(*, session: Session, actor: Actor, community_id: int | None = None) -> list[GridRow]:
    """The active grids people can be filed under, in the actor's scope."""
    stmt = select(Grid).where(col(Grid.active)).order_by(col(Grid.community_id), col(Grid.id))
    ids = actor.community_ids(community_id)
    if ids is not None:
        stmt = stmt.where(col(Grid.community_id).in_(ids))
    return [GridRow(g.id, g.community_id, g.name) for g in session.exec(stmt)]


# --- names ----------------------------------------------------------------------


def split_names(text: str) -> list[str]:
    """Names typed one per line or pasted from a list (commas, 、 and tabs separate too)."""
    return [part.strip() for part in _SPLIT.split(text or "") if part.strip()]


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 35 → 三十五 (1 to 99)."""
    if not 1 <= n <= 99:
        raise ValueError(n)
    tens, ones = divmod(n, 10)
    if tens == 0:
        return _DIGITS[ones]
    head = "" if tens == 1 else _DIGITS[tens]
    return head + "十" + (_DIGITS[ones] if ones else "")


def grid_names_generate(count: int) -> list[str]:
    """第一网格, 第二网格 … for a community with count grids (at most 99)."""
    if not 1 <= count <= 99:
        raise BoardError("org.grid_count_invalid")
    return [f"第{chinese_number(i)}网格" for i in range(1, count + 1)]


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise BoardError("org.name_required")
    if len(name) > NAME_MAX:
        raise BoardError("org.name_too_long", name=name, n=NAME_MAX)
    return name


def _check_names(names: list[str], taken: set[str]) -> list[str]:
    """The names cleaned, or a refusal listing every bad one (nothing is written then)."""
    if not names:
        raise BoardError("org.names_empty")
    problems, seen = [], set()
    for name in names:
        if len(name) > NAME_MAX:
            problems.append(f"{name}（>{NAME_MAX}）")
        elif name in taken or name in seen:
            problems.append(name)
        seen.add(name)
    if problems:
        raise BoardError("org.names_refused", names="、".join(problems))
    return names


# --- the street and the first-start steps ----------------------------------------------


@dataclass(frozen=True)
class StreetRow:
    name: str
    district: str
    setup_step: int

    @property
    def setup_done(self) -> bool:
        return self.setup_step >= SETUP_DONE


def street_get(*, session: Session) -> StreetRow:
    """The street's name and district, and the first-start step reached.

    A board with no street row but with communities (the demo data) has done its first
    start; an empty one starts at the first step."""
    row = session.exec(select(Street).order_by(col(Street.id))).first()
    if row is not None:
        return StreetRow(row.name, row.district, row.setup_step)
    has_community = session.exec(select(Community.id)).first() is not None
    return StreetRow("", "", SETUP_DONE if has_community else 0)


def setup_pending(*, session: Session) -> bool:
    """True while the street admin has not finished (or skipped) the first-start steps."""
    return not street_get(session=session).setup_done


def street_row(session: Session) -> Street:
    """The street's row, made (at the step reached) when the board has none yet."""
    row = session.exec(select(Street).order_by(col(Street.id))).first()
    if row is None:
        current = street_get(session=session)
        row = Street(setup_step=current.setup_step)
        session.add(row)
        session.flush()
    return row


def _advance(session: Session, actor: Actor, step: str) -> None:
    """Marks the first-start step `step` done (or skipped): the next one is shown."""
    row = street_row(session)
    reached = SETUP_STEPS.index(step) + 1
    if row.setup_step < reached:
        audit.apply_changes(session, actor_id=actor.id, row=row, values={"setup_step": reached})


def setup_skip(*, session: Session, actor: Actor, step: str) -> None:
    """Skips a first-start step (it can be done later on the organisation page);
    step "all" ends the first-start steps."""
    actor.require(frozenset({Role.admin}))
    if step == "all":
        row = street_row(session)
        audit.apply_changes(session, actor_id=actor.id, row=row, values={"setup_step": SETUP_DONE})
        return
    if step not in SETUP_STEPS:
        raise BoardError("common.not_found")
    _advance(session, actor, step)


def street_set(*, session: Session, actor: Actor, name: str, district: str) -> None:
    """Names the street and its district (every community carries them), and puts the
    documented default visit intervals in place if the office has none yet."""
    actor.require(frozenset({Role.admin}))
    name, district = (name or "").strip(), (district or "").strip()
    if not name or not district:
        raise BoardError("org.street_required")
    if len(name) > NAME_MAX or len(district) > NAME_MAX:
        raise BoardError(
            "org.name_too_long", name=name if len(name) > NAME_MAX else district, n=NAME_MAX
        )
    row = street_row(session)
    audit.apply_changes(
        session, actor_id=actor.id, row=row, values={"name": name, "district": district}
    )
    for community in session.exec(select(Community)):
        audit.apply_changes(
            session, actor_id=actor.id, row=community, values={"street": name, "district": district}
        )
    visit_policy.ensure_defaults(session)
    _advance(session, actor, "street")


# --- communities ------------------------------------------------------------------------


def communities_create(*, session: Session, actor: Actor, names: str | list[str]) -> list[int]:
    """Adds communities to the street: a list typed one per line or pasted. A list with any
    name already used (or twice in the list) writes nothing."""
    actor.require(frozenset({Role.admin}))
    names = (
        split_names(names) if isinstance(names, str) else [n.strip() for n in names if n.strip()]
    )
    taken = set(session.exec(select(Community.name)))
    _check_names(names, taken)
    street = street_row(session)
    ids = []
    for name in names:
        row = Community(name=name, street=street.name, district=street.district)
        session.add(row)
        audit.record(session, actor_id=actor.id, action="create", row=row)
        ids.append(row.id)
    visit_policy.ensure_defaults(session)
    _advance(session, actor, "communities")
    return ids


def _community(session: Session, actor: Actor, community_id: int) -> Community:
    row = session.get(Community, community_id)
    if row is None:
        raise BoardError("common.not_found")
    actor.require_community(community_id)
    return row


def community_rename(*, session: Session, actor: Actor, community_id: int, name: str) -> None:
    actor.require(frozenset({Role.admin}))
    row = _community(session, actor, community_id)
    name = _clean_name(name)
    clash = session.exec(
        select(Community.id).where(Community.name == name, Community.id != community_id)
    ).first()
    if clash:
        raise BoardError("org.names_refused", names=name)
    audit.apply_changes(session, actor_id=actor.id, row=row, values={"name": name})


def community_set_active(
    *, session: Session, actor: Actor, community_id: int, active: bool
) -> None:
    """Deactivates a community (its records stay; it leaves every picker), or brings it back."""
    actor.require(frozenset({Role.admin}))
    row = _community(session, actor, community_id)
    audit.apply_changes(session, actor_id=actor.id, row=row, values={"active": active})


def office_phone_valid(phone: str) -> str:
    """An office phone as stored: a landline as 0471-6951234 (-extension), a mobile as
    13800000000; anything else is refused."""
    raw = re.sub(r"[\s()（）]", "", phone or "").replace("－", "-")
    mobile = normalise_phone(raw)
    if mobile:
        return mobile
    found = _LANDLINE.match(raw)
    if not found:
        raise BoardError("certificates.office_phone_invalid")
    area, number, extension = found.groups()
    return f"{area}-{number}" + (f"-{extension}" if extension else "")


def community_set_contact(
    *, session: Session, actor: Actor, community_id: int, person_in_charge: str, office_phone: str
) -> None:
    """Sets who signs for the community and its office phone (both required): the admin
    for any community, a secretary for their own."""
    actor.require(STAFF)
    row = _community(session, actor, community_id)
    person = (person_in_charge or "").strip()
    if not person:
        raise BoardError("certificates.person_required")
    if len(person) > PERSON_MAX:
        raise BoardError("org.name_too_long", name=person, n=PERSON_MAX)
    audit.apply_changes(
        session,
        actor_id=actor.id,
        row=row,
        values={"person_in_charge": person, "office_phone": office_phone_valid(office_phone)},
    )


def community_set_webhook(*, session: Session, actor: Actor, community_id: int, url: str) -> None:
    """The webhook URL of the community's 企业微信 group robot, as pasted from the group
    (services/wecom.py checks it is the robot's own address); "" sends the group nothing.
    The admin for any community, a secretary for their own."""
    actor.require(STAFF)
    row = _community(session, actor, community_id)
    audit.apply_changes(
        session, actor_id=actor.id, row=row, values={"wecom_webhook": wecom.webhook_valid(url)}
    )


# --- grids --------------------------------------------------------------------------------


def grids_create(
    *, session: Session, actor: Actor, community_id: int, names: str | list[str]
) -> list[int]:
    """Adds grids to a community (the admin anywhere, a secretary in their own)."""
    actor.require(STAFF)
    community = _community(session, actor, community_id)
    if not community.active:
        raise BoardError("org.community_inactive")
    names = (
        split_names(names) if isinstance(names, str) else [n.strip() for n in names if n.strip()]
    )
    taken = set(session.exec(select(Grid.name).where(Grid.community_id == community_id)))
    _check_names(names, taken)
    ids = []
    for name in names:
        row = Grid(community_id=community_id, name=name)
        session.add(row)
        audit.record(session, actor_id=actor.id, action="create", row=row)
        ids.append(row.id)
    return ids


def grids_create_many(
    *, session: Session, actor: Actor, names_by_community: dict[int, str | list[str]]
) -> int:
    """The first-start step: grids for several communities in one go (communities given
    no names are left as they are). Any bad list writes nothing. Returns how many."""
    actor.require(frozenset({Role.admin}))
    created = 0
    for community_id, names in names_by_community.items():
        if split_names(names) if isinstance(names, str) else names:
            created += len(
                grids_create(session=session, actor=actor, community_id=community_id, names=names)
            )
    _advance(session, actor, "grids")
    return created


def _grid(session: Session, actor: Actor, grid_id: int) -> Grid:
    actor.require(STAFF)
    row = session.get(Grid, grid_id)
    if row is None:
        raise BoardError("common.not_found")
    actor.require_community(row.community_id)
    return row


def grid_rename(*, session: Session, actor: Actor, grid_id: int, name: str) -> None:
    row = _grid(session, actor, grid_id)
    name = _clean_name(name)
    clash = session.exec(
        select(Grid.id).where(
            Grid.community_id == row.community_id, Grid.name == name, Grid.id != grid_id
        )
    ).first()
    if clash:
        raise BoardError("org.names_refused", names=name)
    audit.apply_changes(session, actor_id=actor.id, row=row, values={"name": name})


def _people_count(session: Session, grid_id: int) -> tuple[int, int]:
    elders = session.exec(select(func.count()).where(Elder.grid_id == grid_id)).one()
    volunteers = session.exec(select(func.count()).where(Volunteer.grid_id == grid_id)).one()
    return elders, volunteers


def grid_set_active(*, session: Session, actor: Actor, grid_id: int, active: bool) -> None:
    """Deactivates a grid (its people keep it until moved; it leaves every picker), or
    brings it back."""
    row = _grid(session, actor, grid_id)
    audit.apply_changes(session, actor_id=actor.id, row=row, values={"active": active})


def grid_remove(*, session: Session, actor: Actor, grid_id: int) -> None:
    """Removes a grid that no elder and no volunteer was ever filed under; any other grid
    can only be deactivated."""
    row = _grid(session, actor, grid_id)
    elders, volunteers = _people_count(session, grid_id)
    if elders or volunteers:
        raise BoardError("org.grid_has_people", elders=elders, volunteers=volunteers)
    audit.record(session, actor_id=actor.id, action="remove", row=row)
    session.delete(row)


def grid_move_people(
    *, session: Session, actor: Actor, grid_id: int, to_grid_id: int, deactivate: bool = False
) -> int:
    """Moves every elder and volunteer of a grid to another active grid of the same
    community, in one step; with deactivate, the emptied grid is deactivated too.
    Returns how many people moved."""
    source = _grid(session, actor, grid_id)
    target = _grid(session, actor, to_grid_id)
    if target.id == source.id or target.community_id != source.community_id:
        raise BoardError("org.move_target_invalid")
    if not target.active:
        raise BoardError("org.grid_inactive")
    moved = 0
    for model in (Elder, Volunteer):
        for person in session.exec(select(model).where(model.grid_id == source.id)).all():
            audit.apply_changes(
                session, actor_id=actor.id, row=person, values={"grid_id": target.id}
            )
            moved += 1
    if deactivate:
        audit.apply_changes(session, actor_id=actor.id, row=source, values={"active": False})
    return moved


def grid_assign_worker(
    *, session: Session, actor: Actor, grid_id: int, account_id: int | None
) -> None:
    """Puts a grid worker of the grid's community in charge of the grid (None: nobody)."""
    row = _grid(session, actor, grid_id)
    if account_id is not None:
        account = session.get(Account, account_id)
        if (
            account is None
            or not account.active
            or account.role != Role.grid_worker
            or account.community_id != row.community_id
        ):
            raise BoardError("org.worker_invalid")
    audit.apply_changes(
        session, actor_id=actor.id, row=row, values={"worker_account_id": account_id}
    )


# --- the first accounts ---------------------------------------------------------------------


def staff_account_create(
    *,
    session: Session,
    actor: Actor,
    role: Role,
    community_id: int,
    username: str,
    display_name: str,
    password: str,
    grid_ids: list[int] | None = None,
) -> int:
    """A secretary or a grid worker of a community, with a password the admin hands out
    (changed at the first sign-in); a grid worker is put in charge of grid_ids."""
    if role not in (Role.secretary, Role.grid_worker):
        raise BoardError("org.role_invalid")
    community = _community(session, actor, community_id)
    if not community.active:
        raise BoardError("org.community_inactive")
    account_id = auth.account_create(
        session=session,
        actor=actor,
        username=username,
        password=password,
        display_name=display_name,
        role=role,
        community_id=community_id,
    )
    for grid_id in grid_ids or []:
        if role != Role.grid_worker:
            raise BoardError("org.role_invalid")
        grid = _grid(session, actor, grid_id)
        if grid.community_id != community_id or not grid.active:
            raise BoardError("org.move_target_invalid")
        grid_assign_worker(session=session, actor=actor, grid_id=grid_id, account_id=account_id)
    return account_id


_PASSWORD_CHARS = "abcdefghjkmnpqrstuvwxyz23456789"  # nothing to misread when handed out


def suggest_password(length: int = 10) -> str:
    """A first password for the admin to hand out (changed at the first sign-in)."""
    return "".join(secrets.choice(_PASSWORD_CHARS) for _ in range(length))


def setup_accounts_done(*, session: Session, actor: Actor) -> None:
    """The last first-start step is done: the board opens as usual."""
    actor.require(frozenset({Role.admin}))
    _advance(session, actor, "accounts")


# --- the organisation page ------------------------------------------------------------------


@dataclass(frozen=True)
class GridInfo:
    id: int
    name: str
    active: bool
    worker_id: int | None
    worker: str
    elders: int
    volunteers: int

    @property
    def has_people(self) -> bool:
        return bool(self.elders or self.volunteers)


@dataclass(frozen=True)
class CommunityInfo:
    id: int
    name: str
    active: bool
    grids: tuple[GridInfo, ...] = ()
    workers: tuple[tuple[int, str], ...] = field(default=())  # active grid workers (id, name)
    secretaries: int = 0
    person_in_charge: str = ""  # who signs its certificates (services/certificates.py)
    office_phone: str = ""
    wecom_webhook: str = ""  # its 企业微信 group robot (services/wecom.py), "" for none


def org_tree(*, session: Session, actor: Actor) -> list[CommunityInfo]:
    """Communities (inactive ones too) with their grids, people per grid and grid workers,
    in the actor's scope: every community for the admin, their own for a secretary."""
    actor.require(STAFF)
    stmt = select(Community).order_by(col(Community.active).desc(), col(Community.id))
    ids = actor.community_ids()
    if ids is not None:
        stmt = stmt.where(col(Community.id).in_(ids))
    communities = session.exec(stmt).all()
    cids = [c.id for c in communities]
    grids = session.exec(
        select(Grid)
        .where(col(Grid.community_id).in_(cids))
        .order_by(col(Grid.active).desc(), col(Grid.id))
    ).all()
    elders = dict(
        session.exec(
            select(Elder.grid_id, func.count())
            .where(col(Elder.active))
            .group_by(col(Elder.grid_id))
        ).all()
    )
    volunteers = dict(
        session.exec(
            select(Volunteer.grid_id, func.count())
            .where(Volunteer.active)
            .group_by(col(Volunteer.grid_id))
        ).all()
    )
    accounts = session.exec(
        select(Account).where(col(Account.community_id).in_(cids), Account.active)
    ).all()
    names = {a.id: a.display_name for a in accounts}
    result = []
    for c in communities:
        result.append(
            CommunityInfo(
                id=c.id,
                name=c.name,
                active=c.active,
                grids=tuple(
                    GridInfo(
                        id=g.id,
                        name=g.name,
                        active=g.active,
                        worker_id=g.worker_account_id,
                        worker=names.get(g.worker_account_id, "") if g.worker_account_id else "",
                        elders=elders.get(g.id, 0),
                        volunteers=volunteers.get(g.id, 0),
                    )
                    for g in grids
                    if g.community_id == c.id
                ),
                workers=tuple(
                    (a.id, a.display_name)
                    for a in accounts
                    if a.community_id == c.id and a.role == Role.grid_worker
                ),
                secretaries=sum(
                    1 for a in accounts if a.community_id == c.id and a.role == Role.secretary
                ),
                person_in_charge=c.person_in_charge,
                office_phone=c.office_phone,
                wecom_webhook=c.wecom_webhook,
            )
        )
    return result


@dataclass(frozen=True)
class BoardStart:
    """What an empty board lacks, for the pages' empty states."""

    communities: int
    grids: int


def board_start(*, session: Session, actor: Actor) -> BoardStart:
    """How many active communities and grids the actor's scope has (0: nothing to file
    anyone under yet)."""
    ids = actor.community_ids()
    c_stmt = select(func.count()).select_from(Community).where(Community.active)
    g_stmt = select(func.count()).select_from(Grid).where(Grid.active)
    if ids is not None:
        c_stmt = c_stmt.where(col(Community.id).in_(ids))
        g_stmt = g_stmt.where(col(Grid.community_id).in_(ids))
    return BoardStart(session.exec(c_stmt).one(), session.exec(g_stmt).one())
