"""event and task months: events per community, month and category (places, people) and
approved hours per community and month, kept at every write

The events' figures and charts and the monthly hours chart read these counts instead of
every registration and a year of sign-ups (services/event_months.py,
services/hours_months.py); they are counted here from the rows an office already has.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 08:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "event_month",
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("month", sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
        sa.Column("category", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("confirmed", sa.Integer(), nullable=False),
        sa.Column("attended", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["community_id"], ["community.id"]),
        sa.PrimaryKeyConstraint("community_id", "month", "category"),
    )
    op.create_table(
        "hours_month",
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("month", sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
        sa.Column("signups", sa.Integer(), nullable=False),
        sa.Column("hours", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["community_id"], ["community.id"]),
        sa.PrimaryKeyConstraint("community_id", "month"),
    )
    op.create_index("ix_event_status_starts_at", "event", ["status", "starts_at"])
    op.create_index("ix_event_community_starts_at", "event", ["community_id", "starts_at"])
    op.create_index("ix_event_ends_at", "event", ["ends_at"])
    op.create_index("ix_task_community_starts_at", "task", ["community_id", "starts_at"])
    op.create_index("ix_task_status_starts_at", "task", ["status", "starts_at"])
    op.create_index("ix_task_event_id", "task", ["event_id"])
    sqlite = op.get_bind().dialect.name == "sqlite"

    def month(column: str) -> str:
        if sqlite:
            return f"strftime('%Y-%m', {column}, '+8 hours')"
        return f"to_char(timezone('Asia/Shanghai', {column}), 'YYYY-MM')"

    yes = "1" if sqlite else "true"
    op.execute(
        "INSERT INTO event_month "
        "(community_id, month, category, events, capacity, confirmed, attended) "
        f"SELECT event.community_id, {month('event.starts_at')}, event.category, count(*), "
        "sum(event.capacity), coalesce(sum(people.confirmed), 0), "
        "coalesce(sum(people.attended), 0) "
        "FROM event LEFT JOIN ("
        "SELECT event_id, "
        "sum(CASE WHEN status = 'confirmed' THEN party_size ELSE 0 END) AS confirmed, "
        f"sum(CASE WHEN attended = {yes} THEN party_size ELSE 0 END) AS attended "
        "FROM registration GROUP BY event_id"
        ") AS people ON people.event_id = event.id "
        "WHERE event.status IN ('published', 'done') "
        f"GROUP BY event.community_id, {month('event.starts_at')}, event.category"
    )
    op.execute(
        "INSERT INTO hours_month (community_id, month, signups, hours) "
        f"SELECT task.community_id, {month('task.starts_at')}, count(*), sum(signup.hours) "
        "FROM signup JOIN task ON task.id = signup.task_id "
        "WHERE signup.hours_status = 'approved' "
        f"GROUP BY task.community_id, {month('task.starts_at')}"
    )


def downgrade() -> None:
    op.drop_index("ix_task_event_id", table_name="task")
    op.drop_index("ix_task_status_starts_at", table_name="task")
    op.drop_index("ix_task_community_starts_at", table_name="task")
    op.drop_index("ix_event_ends_at", table_name="event")
    op.drop_index("ix_event_community_starts_at", table_name="event")
    op.drop_index("ix_event_status_starts_at", table_name="event")
    op.drop_table("hours_month")
    op.drop_table("event_month")
