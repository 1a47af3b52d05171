"""kept visit figures of the month in progress: per community and day, the elders
overdue and the month's visits due by then and made on time

Issue 16: after a write that moves every plan (the street's tiers changed), the next
person to open the dashboard paid for a pass over every elder and the month's visits;
the write now works these out in its own transaction (services/visit_today.py). Nothing
to carry over: the first look of a day computes them.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 13:40:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "visit_today",
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("overdue", sa.Integer(), nullable=False),
        sa.Column("due", sa.Integer(), nullable=False),
        sa.Column("on_time", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["community_id"], ["community.id"]),
        sa.PrimaryKeyConstraint("community_id", "day"),
    )


def downgrade() -> None:
    op.drop_table("visit_today")
