"""Who may see what: the signed-in actor, community scope, and the page registry.

The navigation is built from PAGES for the actor's role, and every page checks
`can_view` again on its own, so a page left out of the navigation refuses to render
when reached by its URL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol, TypeVar

from sqlmodel import Session

from models.accounts import Role
from services.errors import BoardError

STAFF = frozenset({Role.admin, Role.secretary})
FIELD = frozenset({Role.admin, Role.secretary, Role.grid_worker})
EVERYONE_SIGNED_IN = frozenset(Role)
MEETING = frozenset({Role.admin, Role.secretary, Role.grid_worker, Role.display})
PERSONAL_DATA_ROLES = STAFF  # full phones and addresses; masked for everyone else


@dataclass(frozen=True)
class Actor:
    """The signed-in user, as services need it. Plain and hashable, safe to cache on."""

    id: int
    username: str
    display_name: str
    role: Role
    community_id: int | None  # None only for the street admin
    must_change_password: bool = False  # a handed-out password: only the change page opens

    @property
    def is_street_admin(self) -> bool:
        return self.role == Role.admin

    @property
    def sees_personal_data(self) -> bool:
        return self.role in PERSONAL_DATA_ROLES

    def community_ids(self, requested: int | None = None) -> list[int] | None:
        """The communities a query may cover: None means every community (street admin)."""
        if self.is_street_admin:
            return None if requested is None else [requested]
        if requested is not None and requested != self.community_id:
            raise BoardError("access.other_community")
        return [self.community_id] if self.community_id is not None else []

    def require(self, roles: frozenset[Role]) -> None:
        if self.role not in roles:
            raise BoardError("access.denied")

    def require_community(self, community_id: int | None) -> None:
        if not self.is_street_admin and community_id != self.community_id:
            raise BoardError("access.other_community")


class _InCommunity(Protocol):
    @property
    def community_id(self) -> int | None: ...


Scoped = TypeVar("Scoped", bound=_InCommunity)


def get_scoped(
    session: Session,
    actor: Actor,
    model: type[Scoped],
    record_id: int,
    roles: frozenset[Role] = STAFF,
) -> Scoped:
    """The record `record_id` of `model` for an actor who may act on it: refused when the
    actor's role is not in `roles`, when there is no such record, or when it belongs to
    another community. Every service that changes one record loads it through here."""
    actor.require(roles)
    row = session.get(model, record_id)
    if row is None:
        raise BoardError("common.not_found")
    actor.require_community(row.community_id)
    return row


@dataclass(frozen=True)
class PageSpec:
    key: str  # stable id, also the url path
    path: str  # file under views/
    title_key: str
    icon: str
    roles: frozenset[Role]
    section_key: str = "nav.section.main"


PAGES: tuple[PageSpec, ...] = (
    PageSpec(
        "home",
        "views/home.py",
        "nav.home",
        ":material/home:",
        frozenset({Role.grid_worker, Role.volunteer}),
    ),
    # --- meeting dashboard (issue 7) ---
    PageSpec("dashboard", "views/dashboard.py", "nav.dashboard", ":material/dashboard:", STAFF),
    PageSpec("meeting", "views/meeting.py", "nav.meeting", ":material/slideshow:", MEETING),
    # --- volunteers, teams, tasks (issue 3) ---
    PageSpec(
        "open_tasks",
        "views/open_tasks.py",
        "nav.open_tasks",
        ":material/volunteer_activism:",
        frozenset({Role.volunteer}),
    ),
    PageSpec(
        "my_tasks",
        "views/my_tasks.py",
        "nav.my_tasks",
        ":material/event_available:",
        frozenset({Role.volunteer}),
    ),
    PageSpec(
        "check_in",
        "views/check_in.py",
        "nav.check_in",
        ":material/qr_code_scanner:",
        frozenset({Role.volunteer}),
    ),
    PageSpec(
        "my_data",
        "views/my_data.py",
        "nav.my_data",
        ":material/badge:",
        frozenset({Role.volunteer}),
    ),
    PageSpec("tasks", "views/tasks.py", "nav.tasks", ":material/assignment:", FIELD),
    PageSpec("calendar", "views/calendar.py", "nav.calendar", ":material/calendar_month:", STAFF),
    PageSpec("volunteers", "views/volunteers.py", "nav.volunteers", ":material/groups:", STAFF),
    PageSpec("teams", "views/teams.py", "nav.teams", ":material/diversity_3:", STAFF),
    PageSpec(
        "certificates",
        "views/certificates.py",
        "nav.certificates",
        ":material/workspace_premium:",
        STAFF,
    ),
    # --- elder-care visits (issue 4) ---
    PageSpec("elders", "views/elders.py", "nav.elders", ":material/elderly:", FIELD),
    PageSpec(
        "visit_record",
        "views/visit_record.py",
        "nav.visit_record",
        ":material/edit_note:",
        FIELD | {Role.volunteer},
    ),
    # --- proxy services for merchants (issue 5) ---
    PageSpec(
        "proxy_board", "views/proxy_board.py", "nav.proxy_board", ":material/storefront:", STAFF
    ),
    PageSpec("merchants", "views/merchants.py", "nav.merchants", ":material/store:", STAFF),
    PageSpec(
        "proxy_queue",
        "views/proxy_queue.py",
        "nav.proxy_queue",
        ":material/checklist:",
        frozenset({Role.secretary, Role.grid_worker, Role.volunteer}),
    ),
    # --- cultural events (issue 6) ---
    PageSpec("events", "views/events.py", "nav.events", ":material/celebration:", STAFF),
    PageSpec(
        "programme", "views/programme.py", "nav.programme", ":material/event:", EVERYONE_SIGNED_IN
    ),
    PageSpec(
        "certificate_check",
        "views/certificate_check.py",
        "nav.certificate_check",
        ":material/verified:",
        EVERYONE_SIGNED_IN,
    ),
    PageSpec(
        "privacy", "views/privacy.py", "nav.privacy", ":material/privacy_tip:", EVERYONE_SIGNED_IN
    ),
    # --- reminders: the bell's messages (issue 17) ---
    PageSpec(
        "messages",
        "views/messages.py",
        "nav.messages",
        ":material/notifications:",
        EVERYONE_SIGNED_IN - {Role.display},
    ),
    # --- residents' cases (issue 13) ---
    PageSpec(
        "cases",
        "views/cases.py",
        "nav.cases",
        ":material/support_agent:",
        FIELD | {Role.volunteer},
    ),
    # --- administration ---
    PageSpec(
        "organisation",
        "views/organisation.py",
        "nav.organisation",
        ":material/account_tree:",
        STAFF,
        "nav.section.admin",
    ),
    PageSpec(
        "accounts",
        "views/accounts.py",
        "nav.accounts",
        ":material/manage_accounts:",
        STAFF,
        "nav.section.admin",
    ),
    PageSpec(
        "imports",
        "views/imports.py",
        "nav.imports",
        ":material/upload_file:",
        STAFF,
        "nav.section.admin",
    ),
    PageSpec(
        "audit", "views/audit.py", "nav.audit", ":material/history:", STAFF, "nav.section.admin"
    ),
    PageSpec(
        "corrections",
        "views/corrections.py",
        "nav.corrections",
        ":material/rule:",
        STAFF,
        "nav.section.admin",
    ),
    PageSpec(
        "access_log",
        "views/access_log.py",
        "nav.access_log",
        ":material/policy:",
        frozenset({Role.admin}),
        "nav.section.admin",
    ),
    PageSpec(
        "case_settings",
        "views/case_settings.py",
        "nav.case_settings",
        ":material/tune:",
        frozenset({Role.admin}),
        "nav.section.admin",
    ),
    PageSpec(
        "backup",
        "views/backup.py",
        "nav.backup",
        ":material/backup:",
        frozenset({Role.admin}),
        "nav.section.admin",
    ),
    PageSpec(
        "retention",
        "views/retention.py",
        "nav.retention",
        ":material/auto_delete:",
        frozenset({Role.admin}),
        "nav.section.admin",
    ),
)

# The page a role lands on after signing in.
HOME_PAGE = {
    Role.admin: "dashboard",
    Role.secretary: "dashboard",
    Role.grid_worker: "visit_record",
    Role.volunteer: "my_tasks",  # an agent with open requests: services/landing.py
    Role.display: "meeting",
}


# Pages anyone with the link may open without signing in: no personal data on them.
PUBLIC_PAGES = ("programme", "certificate_check", "privacy")


def page_spec(key: str) -> PageSpec:
    for spec in PAGES:
        if spec.key == key:
            return spec
    raise KeyError(key)


def pages_for(role: Role) -> list[PageSpec]:
    return [spec for spec in PAGES if role in spec.roles]


def can_view(role: Role, page_key: str) -> bool:
    return role in page_spec(page_key).roles


# --- masking: the one home of the masks pages and exports use ------------------------------
# After the common conventions (GB/T 35273 展示限制; the de-facto masks of Hutool's
# DesensitizedUtil): 张**, 138****5678, 1***************5X, an address cut after the
# building. tests/services/test_masks.py holds them as a table.

# A building in an address: a number (Arabic, Chinese or a letter) and 号楼, 栋, 幢, 座 or
# 单元 (a unit, where no building is named before it). A bare 号 (a house on a street) or
# 楼 (a floor) is not one.
_BUILDING = re.compile(r"[0-9０-９一二三四五六七八九十百A-Za-z]+(号楼|栋|幢|座|单元)")
_ADDRESS_STARS = "****"


def mask_phone(phone: str) -> str:
    """138****5678: a mobile (or any number of 11 characters or more) keeps its first three
    and last four; a shorter number only its last two, so at least half of it is hidden."""
    digits = phone.strip()
    if len(digits) >= 11:
        return f"{digits[:3]}****{digits[-4:]}"
    if len(digits) >= 5:
        return "*" * (len(digits) - 2) + digits[-2:]
    return "*" * len(digits)


def mask_name(name: str) -> str:
    """张*, 张**, 欧*** : the first character and a star for each other one (Hutool's
    chineseName); a one-character name is all stars."""
    name = name.strip()
    if len(name) <= 1:
        return "*" * len(name)
    return name[:1] + "*" * (len(name) - 1)


def mask_id_number(text: str) -> str:
    """1***************5X : an ID number's first character and last two."""
    text = text.strip()
    return text[:1] + "*" * max(0, len(text) - 3) + text[-2:] if len(text) > 3 else "*" * len(text)


def mask_address(address: str) -> str:
    """An address cut after the building: 学府康都5号楼2单元301 → 学府康都5号楼****. Without
    a building, what comes before the first digit (the street or the compound:
    新华大街123号 → 新华大街****), or without a digit the first third."""
    address = address.strip()
    building = _BUILDING.search(address)
    if building is not None:
        kept = address[: building.end()]
    else:
        digit = re.search(r"[0-9０-９]", address)
        kept = address[: digit.start()] if digit is not None else address[: len(address) // 3]
    if kept == address:
        return address  # nothing after the building: the building is what anyone may see
    return kept + _ADDRESS_STARS
