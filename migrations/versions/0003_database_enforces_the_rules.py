"""the database enforces the rules the services rely on

CHECK constraints for counts, capacities, ranges and statuses, and partial unique
indexes for the uniqueness rules that lived only in Python (issue 11): a write that
bypasses the services (a script, a bug, a second app) is refused by the database itself.
The same rules are checked first in services/validation.py, with a message in the
user's language.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 16:30:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _one_of(*values: str) -> str:
    return "IN (" + ", ".join(f"'{v}'" for v in values) + ")"


TASK_STATUS = _one_of("draft", "open", "closed", "done", "cancelled")
TASK_KIND = _one_of("elder_visit", "proxy_errand", "event_staff", "patrol", "other")
SIGNUP_STATUS = _one_of("confirmed", "waitlisted", "cancelled", "attended", "no_show")
HOURS_STATUS = _one_of("none", "pending", "approved")
EVENT_STATUS = _one_of("draft", "published", "cancelled", "done")
REGISTRATION_STATUS = _one_of("confirmed", "waitlisted", "cancelled")
PROXY_STATUS = _one_of("submitted", "accepted", "in_progress", "done", "rejected")

CHECKS = {
    "task": [
        ("ck_task_capacity", "capacity >= 1"),
        ("ck_task_taken", "taken >= 0 AND taken <= capacity"),
        ("ck_task_status", f"status {TASK_STATUS}"),
        ("ck_task_kind", f"kind {TASK_KIND}"),
    ],
    "signup": [
        ("ck_signup_hours", "hours >= 0 AND hours <= 24"),
        ("ck_signup_status", f"status {SIGNUP_STATUS}"),
        ("ck_signup_hours_status", f"hours_status {HOURS_STATUS}"),
    ],
    "event": [
        ("ck_event_capacity", "capacity >= 1"),
        ("ck_event_taken", "taken >= 0 AND taken <= capacity"),
        ("ck_event_volunteers_needed", "volunteers_needed >= 0"),
        ("ck_event_status", f"status {EVENT_STATUS}"),
    ],
    "registration": [
        ("ck_registration_party_size", "party_size >= 1 AND party_size <= 10"),
        ("ck_registration_status", f"status {REGISTRATION_STATUS}"),
    ],
    "proxyrequest": [
        (
            "ck_proxyrequest_satisfaction",
            "satisfaction IS NULL OR (satisfaction >= 1 AND satisfaction <= 5)",
        ),
        ("ck_proxyrequest_due_on", "due_on >= requested_on"),
        ("ck_proxyrequest_status", f"status {PROXY_STATUS}"),
    ],
    "elder": [("ck_elder_care_level", "care_level >= 0 AND care_level <= 4")],
    "visitpolicy": [
        ("ck_visitpolicy_interval_days", "interval_days >= 1 AND interval_days <= 366")
    ],
}

# name, table, columns, condition
PARTIAL_UNIQUE = [
    ("ux_merchant_active_name", "merchant", ["community_id", "shop_name"], "active"),
    ("ux_visitpolicy_street_rule", "visitpolicy", ["situation"], "community_id IS NULL"),
    (
        "ux_visitpolicy_community_rule",
        "visitpolicy",
        ["community_id", "situation"],
        "community_id IS NOT NULL",
    ),
]


def upgrade() -> None:
    for table, checks in CHECKS.items():
        with op.batch_alter_table(table) as batch:
            for name, condition in checks:
                batch.create_check_constraint(name, condition)
    for name, table, columns, where in PARTIAL_UNIQUE:
        op.create_index(
            name,
            table,
            columns,
            unique=True,
            sqlite_where=sa.text(where),
            postgresql_where=sa.text(where),
        )


def downgrade() -> None:
    for name, table, _, _ in PARTIAL_UNIQUE:
        op.drop_index(name, table_name=table)
    for table, checks in CHECKS.items():
        with op.batch_alter_table(table) as batch:
            for name, _ in checks:
                batch.drop_constraint(name, type_="check")
