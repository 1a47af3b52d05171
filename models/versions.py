"""A version of each table per community, new at every write: what cached reads are
checked against (services/data_versions.py)."""

from __future__ import annotations

from sqlalchemy import BigInteger
from sqlmodel import Field, SQLModel


class DataVersion(SQLModel, table=True):
    """One version per scope: "<table>:<community id>", "<table>:?" (a write whose
    community is not known) and "<table>:*" (every write to the table)."""

    __tablename__ = "data_version"

    scope: str = Field(primary_key=True, max_length=60)
    version: int = Field(default=0, sa_type=BigInteger)  # 62 random bits: 64-bit column
