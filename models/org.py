"""Communities (社区) of a street (街道), and their grids (网格)."""

from __future__ import annotations

from sqlmodel import Field, SQLModel, UniqueConstraint


class Community(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=60, unique=True)
    street: str = Field(max_length=60)
    district: str = Field(max_length=60)
    active: bool = True


class Grid(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("community_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    name: str = Field(max_length=60)
    worker_account_id: int | None = Field(default=None, foreign_key="account.id")
