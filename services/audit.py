"""Writing the audit trail. Every service write calls one of these in its transaction;
services/audit_view.py reads it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime
from enum import Enum

from sqlmodel import Session, SQLModel

from models.audit import AuditEntry


def _plain(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def record(
    session: Session,
    *,
    actor_id: int | None,
    action: str,
    row: SQLModel,
    changes: Mapping[str, object] | None = None,
) -> None:
    """Adds an audit entry for row; changes defaults to the row's own values (a creation)."""
    session.flush()  # the row gets its id
    if changes is None:
        changes = {k: v for k, v in row.model_dump().items() if k != "password_hash"}
    record_event(
        session,
        actor_id=actor_id,
        action=action,
        table_name=str(row.__tablename__),
        row_id=getattr(row, "id", None),
        changes=changes,
    )


def record_event(
    session: Session,
    *,
    actor_id: int | None,
    action: str,
    table_name: str,
    changes: Mapping[str, object],
    row_id: int | None = None,
) -> None:
    """Adds an audit entry for what names no one row: an export of a register, a
    backup; `record` for a row."""
    session.add(
        AuditEntry(
            account_id=actor_id,
            action=action,
            table_name=table_name,
            row_id=row_id,
            changes=json.dumps(
                {k: _plain(v) for k, v in changes.items()}, ensure_ascii=False, default=str
            ),
        )
    )


def apply_changes(
    session: Session, *, actor_id: int | None, row: SQLModel, values: dict[str, object]
) -> dict[str, tuple[object, object]]:
    """Sets values on row and audits only the fields that really changed."""
    diff = {}
    for field, new in values.items():
        old = getattr(row, field)
        if old != new:
            diff[field] = (_plain(old), _plain(new))
            setattr(row, field, new)
    if diff:
        session.add(row)
        record(session, actor_id=actor_id, action="update", row=row, changes=diff)
    return diff
