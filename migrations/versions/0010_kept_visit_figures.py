"""kept visit figures: the months that are over, and each elder's plan

visit_month_end: per community and month, elders overdue on the month's last day, under
care in it and visited in it, computed when first asked for and kept
(services/visit_month_ends.py); a write that can change them removes them.
elder_due: each active elder's last visit, interval and due day, worked out at every
write about them (services/visit_dues.py). Nothing to fill here: what is not kept is
worked out when read, and kept by the first read for today.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 08:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "visit_month_end",
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("month", sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
        sa.Column("overdue", sa.Integer(), nullable=False),
        sa.Column("under_care", sa.Integer(), nullable=False),
        sa.Column("visited", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["community_id"], ["community.id"]),
        sa.PrimaryKeyConstraint("community_id", "month"),
    )
    op.create_table(
        "elder_due",
        sa.Column("elder_id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("last_visit", sa.Date(), nullable=True),
        sa.Column("interval", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("computed_on", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["community_id"], ["community.id"]),
        sa.ForeignKeyConstraint(["elder_id"], ["elder.id"]),
        sa.PrimaryKeyConstraint("elder_id"),
    )
    op.create_index("ix_elder_due_day", "elder_due", ["due_on"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_elder_due_day", table_name="elder_due")
    op.drop_table("elder_due")
    op.drop_table("visit_month_end")
