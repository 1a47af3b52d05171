"""Sign-in accounts, their roles, and server-side sessions."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from models.base import dt_field, enum_field


class Role(StrEnum):
    admin = "admin"  # street admin: every community
    secretary = "secretary"  # 社区书记 / staff of one community
    grid_worker = "grid_worker"  # 网格员
    volunteer = "volunteer"  # 志愿者, 红色代办员 among them
    display = "display"  # the meeting projector: aggregate charts only


class Account(SQLModel, table=True):
    id: int = Field(default=None, primary_key=True)  # set on flush (models/base.py)
    username: str = Field(max_length=40, unique=True, index=True)
    password_hash: str = Field(max_length=200)
    display_name: str = Field(max_length=60)
    role: Role = enum_field(Role)
    community_id: int | None = Field(default=None, foreign_key="community.id", index=True)
    active: bool = True
    # Set when someone else chose the password (a new account, a reset): the owner must
    # choose their own at the next sign-in before anything else opens.
    must_change_password: bool = False
    failed_attempts: int = 0
    locked_until: datetime | None = dt_field(nullable=True)
    created_at: datetime = dt_field(default_now=True)


class AuthSession(SQLModel, table=True):
    """A signed-in browser. The cookie holds a signed random token; only its hash is stored.

    A handoff code (also stored hashed) lets the browser trade the fresh sign-in for the
    HttpOnly cookie once, through the /auth/enter route.
    """

    id: int = Field(default=None, primary_key=True)  # set on flush (models/base.py)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    created_at: datetime = dt_field(default_now=True)
    expires_at: datetime = dt_field()
    revoked_at: datetime | None = dt_field(nullable=True)
    handoff_hash: str | None = Field(default=None, max_length=64, index=True)
    handoff_expires_at: datetime | None = dt_field(nullable=True)
