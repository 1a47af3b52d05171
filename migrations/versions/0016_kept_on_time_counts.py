"""kept visit figures: the visits due in a month that is over and those made on time

Issue 16: the dashboard's on-time rate of the month before was a pass over the month's
visits at every look after a write (an elder's edit, the street's tiers changed); a month
that is over now keeps its counts with its other figures (services/visit_month_ends.py),
worked out again by the writes that can change them. The kept rows computed before had
no such counts: they are removed, and computed again when next asked for.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 13:20:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("DELETE FROM visit_month_end")
    with op.batch_alter_table("visit_month_end", schema=None) as batch_op:
        batch_op.add_column(sa.Column("due", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("on_time", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("visit_month_end", schema=None) as batch_op:
        batch_op.drop_column("on_time")
        batch_op.drop_column("due")
