"""visit months: visits per community, month and mode, kept at every write of a visit

The monthly charts read these counts instead of a year of visits
(services/visit_months.py); they are counted here from the visits an office already has.
An index on when visits were created: the visits new since the aggregates kept in
memory were last checked (services/visit_memory.py).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 06:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "visit_month",
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("month", sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
        sa.Column("mode", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("visits", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["community_id"], ["community.id"]),
        sa.PrimaryKeyConstraint("community_id", "month", "mode"),
    )
    op.create_index("ix_visit_created", "visit", ["created_at"])
    month = (
        "substr(visit.visited_on, 1, 7)"
        if op.get_bind().dialect.name == "sqlite"
        else "to_char(visit.visited_on, 'YYYY-MM')"
    )
    op.execute(
        "INSERT INTO visit_month (community_id, month, mode, visits) "
        f"SELECT elder.community_id, {month}, visit.mode, count(*) "
        "FROM visit JOIN elder ON elder.id = visit.elder_id WHERE NOT visit.voided "
        f"GROUP BY elder.community_id, {month}, visit.mode"
    )


def downgrade() -> None:
    op.drop_index("ix_visit_created", table_name="visit")
    op.drop_table("visit_month")
