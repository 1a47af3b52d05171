"""The audit trail: who changed what, and when."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from models.base import dt_field


class AuditEntry(SQLModel, table=True):
    id: int = Field(default=None, primary_key=True)  # set on flush (models/base.py)
    at: datetime = dt_field(default_now=True, index=True)
    account_id: int | None = Field(default=None, foreign_key="account.id", index=True)
    action: str = Field(max_length=40)  # create, update, deactivate, sign_in, ...
    table_name: str = Field(max_length=40, index=True)
    row_id: int | None = Field(default=None, index=True)
    changes: str = Field(default="{}")  # JSON of {field: [old, new]} or the created values
