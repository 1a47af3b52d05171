"""Lists an office brings in from its own Excel or WPS sheets (台账导入): each import is a
batch that remembers its file and what it created, so staff can undo it as a whole on the
same day; and the column mapping an office chose, remembered for its next file."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint
from sqlmodel import Field, SQLModel

from models.base import dt_field, enum_field, one_of


class ImportKind(StrEnum):
    """What a file holds: one register per import."""

    volunteer = "volunteer"
    elder = "elder"
    merchant = "merchant"


class ImportBatch(SQLModel, table=True):
    """One import of one file into one community's register, in one transaction. Undoing
    it deactivates every record it created (nothing is deleted) and sets `undone_at`."""

    __table_args__ = (
        one_of("importbatch", "kind", ImportKind),
        CheckConstraint(
            "row_count >= 0 AND created_count >= 0 AND skipped_count >= 0",
            name="ck_importbatch_counts",
        ),
    )

    id: int = Field(default=None, primary_key=True)  # set on flush (models/base.py)
    community_id: int = Field(foreign_key="community.id", index=True)
    kind: ImportKind = enum_field(ImportKind)
    file_name: str = Field(max_length=200)
    row_count: int  # data rows in the file
    created_count: int  # records created
    skipped_count: int  # rows left out (bad rows, when the user chose only the good ones)
    imported_by: int = Field(foreign_key="account.id")
    created_at: datetime = dt_field(default_now=True, index=True)
    undone_at: datetime | None = dt_field(nullable=True)
    undone_by: int | None = Field(default=None, foreign_key="account.id")


class ImportedRecord(SQLModel, table=True):
    """A record an import created: the volunteer's, elder's or merchant's id (by the
    batch's kind)."""

    batch_id: int = Field(foreign_key="importbatch.id", primary_key=True)
    record_id: int = Field(primary_key=True)


class ImportMapping(SQLModel, table=True):
    """Which board field a column header of an office's files goes to (or "" for a
    column to leave out), remembered per community and register."""

    __table_args__ = (one_of("importmapping", "kind", ImportKind),)

    community_id: int = Field(foreign_key="community.id", primary_key=True)
    kind: str = Field(primary_key=True, max_length=20)  # an ImportKind value
    header: str = Field(max_length=100, primary_key=True)
    field: str = Field(default="", max_length=40)
    updated_at: datetime = dt_field(default_now=True)
