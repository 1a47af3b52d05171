"""Accounts, sign-in with lock-out, and server-side sessions behind a signed cookie."""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func
from sqlmodel import Session, col, select

from models.accounts import Account, AuthSession, Role
from models.base import aware_utc, utcnow
from models.org import Community
from models.volunteers import Volunteer
from services import audit
from services.access import STAFF, Actor, get_scoped
from services.errors import BoardError
from services.settings import get_settings

MAX_FAILED_ATTEMPTS = 5
REFUSED = "auth.bad_credentials"  # the one answer to every refused sign-in
LOCK_MINUTES = 15
HANDOFF_SECONDS = 120
MIN_PASSWORD_LENGTH = 8
USERNAME_RE = re.compile(r"^[A-Za-z0-9_.-]{3,40}$")
COOKIE_NAME = "board_session"

log = logging.getLogger("board.auth")

_hasher = PasswordHasher()
# Verified against when the user is unknown, so both answers take the same time.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def actor_of(account: Account) -> Actor:
    return Actor(
        id=account.id,
        username=account.username,
        display_name=account.display_name,
        role=Role(account.role),
        community_id=account.community_id,
        must_change_password=account.must_change_password,
    )


# --- accounts ---------------------------------------------------------------


def needs_setup(*, session: Session) -> bool:
    """True on a fresh database: the one-time setup page creates the first admin."""
    return session.exec(select(func.count()).select_from(Account)).one() == 0


def _validate_new_account(
    session: Session, *, username: str, password: str, display_name: str
) -> None:
    if not username.strip() or not password or not display_name.strip():
        raise BoardError("auth.empty_fields")
    if not USERNAME_RE.match(username):
        raise BoardError("auth.username_invalid")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise BoardError("auth.password_short", n=MIN_PASSWORD_LENGTH)
    if session.exec(select(Account.id).where(Account.username == username)).first():
        raise BoardError("auth.username_taken", username=username)


def setup_admin(*, session: Session, username: str, password: str, display_name: str) -> Actor:
    """Creates the street admin on an empty database; refused once any account exists."""
    if not needs_setup(session=session):
        raise BoardError("auth.setup_done")
    username = username.strip()
    _validate_new_account(session, username=username, password=password, display_name=display_name)
    account = Account(
        username=username,
        password_hash=hash_password(password),
        display_name=display_name.strip(),
        role=Role.admin,
    )
    session.add(account)
    audit.record(session, actor_id=None, action="create", row=account)
    return actor_of(account)


def account_create(
    *,
    session: Session,
    actor: Actor,
    username: str,
    password: str,
    display_name: str,
    role: Role,
    community_id: int | None,
) -> int:
    """Staff create accounts; a secretary only in their community and never an admin."""
    actor.require(STAFF)
    username = username.strip()
    _validate_new_account(session, username=username, password=password, display_name=display_name)
    if role == Role.admin:
        if not actor.is_street_admin:
            raise BoardError("access.denied")
        community_id = None
    else:
        if community_id is None or session.get(Community, community_id) is None:
            raise BoardError("auth.community_required")
        actor.require_community(community_id)
    account = Account(
        username=username,
        password_hash=hash_password(password),
        display_name=display_name.strip(),
        role=role,
        community_id=community_id,
        must_change_password=True,  # the password was handed out: its owner chooses their own
    )
    session.add(account)
    audit.record(session, actor_id=actor.id, action="create", row=account)
    return account.id


def _managed_account(session: Session, actor: Actor, account_id: int) -> Account:
    """An account the actor may manage. Admin accounts belong to no community, so only
    the street admin reaches them."""
    return get_scoped(session, actor, Account, account_id)


def account_set_active(*, session: Session, actor: Actor, account_id: int, active: bool) -> None:
    """Deactivates (never deletes) an account, and ends its sessions."""
    account = _managed_account(session, actor, account_id)
    if account.id == actor.id and not active:
        raise BoardError("auth.cannot_deactivate_self")
    audit.apply_changes(session, actor_id=actor.id, row=account, values={"active": active})
    if not active:
        _revoke_all(session, account.id)


def account_reset_password(
    *, session: Session, actor: Actor, account_id: int, password: str
) -> None:
    account = _managed_account(session, actor, account_id)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise BoardError("auth.password_short", n=MIN_PASSWORD_LENGTH)
    account.password_hash = hash_password(password)
    account.failed_attempts = 0
    account.locked_until = None
    account.must_change_password = True  # handed out again: changed at the next sign-in
    session.add(account)
    audit.record(
        session, actor_id=actor.id, action="reset_password", row=account, changes={"password": "*"}
    )
    _revoke_all(session, account.id)


def password_change(*, session: Session, actor: Actor, current: str, new: str) -> Actor:
    """The signed-in user replaces their password (a handed-out one must be replaced at
    the first sign-in). Returns the updated actor."""
    account = session.get(Account, actor.id)
    if account is None or not account.active:
        raise BoardError("access.denied")
    if not _verify(account.password_hash, current):
        raise BoardError("org.password_current_wrong")
    if len(new) < MIN_PASSWORD_LENGTH:
        raise BoardError("auth.password_short", n=MIN_PASSWORD_LENGTH)
    if new == current:
        raise BoardError("org.password_same")
    account.password_hash = hash_password(new)
    account.must_change_password = False
    session.add(account)
    audit.record(
        session, actor_id=actor.id, action="change_password", row=account, changes={"password": "*"}
    )
    return actor_of(account)


@dataclass(frozen=True)
class AccountRow:
    id: int
    username: str
    display_name: str
    role: str
    community: str
    active: bool
    locked: bool


def account_list(
    *, session: Session, actor: Actor, now: datetime | None = None
) -> list[AccountRow]:
    actor.require(STAFF)
    now = now or utcnow()
    stmt = select(Account, Community.name).join(
        Community, col(Account.community_id) == Community.id, isouter=True
    )
    ids = actor.community_ids()
    if ids is not None:
        stmt = stmt.where(col(Account.community_id).in_(ids))
    rows = session.exec(
        stmt.order_by(col(Account.community_id), col(Account.role), col(Account.username))
    )
    return [
        AccountRow(
            id=a.id,
            username=a.username,
            display_name=a.display_name,
            role=str(a.role),
            community=name or "",
            active=a.active,
            locked=bool(a.locked_until and aware_utc(a.locked_until) > now),
        )
        for a, name in rows
    ]


def unlinked_volunteer_accounts(
    *, session: Session, actor: Actor, community_id: int | None = None
) -> list[AccountRow]:
    """Active volunteer-role accounts that no volunteer record is linked to yet (they
    cannot sign up for anything until one is), in a community or in the actor's scope."""
    actor.require(STAFF)
    linked = select(Volunteer.account_id).where(col(Volunteer.account_id).is_not(None))
    stmt = (
        select(Account, Community.name)
        .join(Community, col(Account.community_id) == Community.id)
        .where(Account.role == Role.volunteer, Account.active, col(Account.id).not_in(linked))
        .order_by(Account.username)
    )
    ids = actor.community_ids(community_id)
    if ids is not None:
        stmt = stmt.where(col(Account.community_id).in_(ids))
    rows = session.exec(stmt)
    return [
        AccountRow(
            id=a.id,
            username=a.username,
            display_name=a.display_name,
            role=str(a.role),
            community=name,
            active=a.active,
            locked=False,
        )
        for a, name in rows
    ]


# --- signing in ---------------------------------------------------------------


@dataclass(frozen=True)
class SignInResult:
    """A refusal (error_key set) or a new session: its token and a one-time handoff code."""

    actor: Actor | None = None
    token: str | None = None
    handoff_code: str | None = None
    error_key: str | None = None
    error_params: dict | None = None


def sign_in(
    *, session: Session, username: str, password: str, now: datetime | None = None
) -> SignInResult:
    """Checks the password. A refusal writes only the failed-attempt count (and the lock).

    An unknown user, a wrong password and a locked account get one and the same answer,
    after the same work (one argon2 check each), so the form tells a stranger neither
    which login names exist nor which accounts are locked. The lock still applies to
    real accounts: five failures lock one for 15 minutes, recorded in the audit trail
    and the server log, and the answer states that rule to everyone.
    """
    now = now or utcnow()
    username = (username or "").strip()
    if not username or not password:
        return SignInResult(error_key="auth.empty_fields")
    account = session.exec(select(Account).where(Account.username == username)).first()
    if account is None or not account.active:
        _verify(_DUMMY_HASH, password)
        return SignInResult(error_key=REFUSED)
    if account.locked_until and aware_utc(account.locked_until) > now:
        _verify(_DUMMY_HASH, password)  # the same work as a real check: no faster answer
        log.warning("sign-in refused: account %s is locked", account.username)
        return SignInResult(error_key=REFUSED)
    if not _verify(account.password_hash, password):
        account.failed_attempts += 1
        if account.failed_attempts >= MAX_FAILED_ATTEMPTS:
            account.failed_attempts = 0
            account.locked_until = now + timedelta(minutes=LOCK_MINUTES)
            audit.record(
                session,
                actor_id=None,
                action="lock",
                row=account,
                changes={"locked_until": account.locked_until},
            )
            log.warning("account %s locked for %d minutes", account.username, LOCK_MINUTES)
        session.add(account)
        return SignInResult(error_key=REFUSED)
    account.failed_attempts = 0
    account.locked_until = None
    if _hasher.check_needs_rehash(account.password_hash):
        account.password_hash = hash_password(password)
    session.add(account)
    token, handoff = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    session.add(
        AuthSession(
            token_hash=_digest(token),
            account_id=account.id,
            created_at=now,
            expires_at=now + timedelta(days=get_settings().session_days),
            handoff_hash=_digest(handoff),
            handoff_expires_at=now + timedelta(seconds=HANDOFF_SECONDS),
        )
    )
    return SignInResult(actor=actor_of(account), token=token, handoff_code=handoff)


def _live_session(session: Session, token: str, now: datetime) -> AuthSession | None:
    row = session.exec(select(AuthSession).where(AuthSession.token_hash == _digest(token))).first()
    if row is None or row.revoked_at is not None or aware_utc(row.expires_at) <= now:
        return None
    return row


def session_actor(
    *, session: Session, token: str | None, now: datetime | None = None
) -> Actor | None:
    """The actor behind a session token, or None if it is unknown, expired or revoked."""
    if not token:
        return None
    now = now or utcnow()
    row = _live_session(session, token, now)
    if row is None:
        return None
    account = session.get(Account, row.account_id)
    if account is None or not account.active:
        return None
    return actor_of(account)


def session_redeem_handoff(
    *, session: Session, code: str, now: datetime | None = None
) -> str | None:
    """Trades a fresh sign-in's one-time code for a new token to put in the cookie.

    The token the sign-in returned stays with the Streamlit session that signed in;
    the cookie gets a fresh one, so neither secret travels in a URL more than once.
    """
    now = now or utcnow()
    row = session.exec(select(AuthSession).where(AuthSession.handoff_hash == _digest(code))).first()
    if (
        row is None
        or row.revoked_at is not None
        or row.handoff_expires_at is None
        or aware_utc(row.handoff_expires_at) <= now
    ):
        return None
    token = secrets.token_urlsafe(32)
    row.handoff_hash = None
    row.handoff_expires_at = None
    session.add(row)
    session.add(
        AuthSession(
            token_hash=_digest(token),
            account_id=row.account_id,
            created_at=now,
            expires_at=row.expires_at,
        )
    )
    return token


def sign_out(*, session: Session, token: str | None, now: datetime | None = None) -> None:
    """Revokes the session of this token and every session of the same sign-in's account
    opened at the same time (the cookie's twin)."""
    if not token:
        return
    now = now or utcnow()
    row = session.exec(select(AuthSession).where(AuthSession.token_hash == _digest(token))).first()
    if row is None or row.revoked_at is not None:
        return
    twins = session.exec(
        select(AuthSession).where(
            AuthSession.account_id == row.account_id,
            col(AuthSession.revoked_at).is_(None),
            AuthSession.expires_at == row.expires_at,
        )
    )
    for twin in twins:
        twin.revoked_at = now
        session.add(twin)


def _revoke_all(session: Session, account_id: int) -> None:
    now = utcnow()
    for row in session.exec(
        select(AuthSession).where(
            AuthSession.account_id == account_id, col(AuthSession.revoked_at).is_(None)
        )
    ):
        row.revoked_at = now
        session.add(row)


# --- the cookie -----------------------------------------------------------------


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(get_settings().secret_key, salt="board-session")


def cookie_value(token: str) -> str:
    return _serializer().dumps(token)


def token_from_cookie(value: str | None) -> str | None:
    """The token inside a signed cookie, or None if the signature does not match."""
    if not value:
        return None
    try:
        token = _serializer().loads(value)
    except BadSignature:
        return None
    return token if isinstance(token, str) else None
