"""visit content areas and referrals

What a visit records in the five content areas an office reports on (健康, 经济, 赡养,
安全, 需求): a checklist and a note per area. 安全's checklist is the existing `hazards`
column (its items gain water and heating), 需求's note the existing `needs_raised`, so
existing visits keep what they recorded. Referrals (转介) of a need found on a visit to a
named service, with a deadline and a closure.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 03:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


CONTENT = (
    ("health", 100),
    ("health_note", 200),
    ("economy", 100),
    ("economy_note", 200),
    ("family", 100),
    ("family_note", 200),
    ("safety_note", 200),
    ("needs", 100),
)


def upgrade() -> None:
    with op.batch_alter_table("visit", schema=None) as batch_op:
        for name, length in CONTENT:
            batch_op.add_column(
                sa.Column(
                    name,
                    sqlmodel.sql.sqltypes.AutoString(length=length),
                    nullable=False,
                    server_default="",
                )
            )
    op.create_table(
        "referral",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("elder_id", sa.Integer(), nullable=False),
        sa.Column("service", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("need", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_on", sa.Date(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("closed_by", sa.Integer(), nullable=True),
        sa.Column("closed_by_name", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("closure_note", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("state IN ('open', 'done', 'not_possible')", name="ck_referral_state"),
        sa.ForeignKeyConstraint(["closed_by"], ["account.id"]),
        sa.ForeignKeyConstraint(["created_by"], ["account.id"]),
        sa.ForeignKeyConstraint(["elder_id"], ["elder.id"]),
        sa.ForeignKeyConstraint(["visit_id"], ["visit.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_referral_elder_id", "referral", ["elder_id"], unique=False)
    op.create_index("ix_referral_visit_id", "referral", ["visit_id"], unique=False)
    op.create_index("ix_referral_state_due", "referral", ["state", "due_on"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_referral_state_due", table_name="referral")
    op.drop_index("ix_referral_visit_id", table_name="referral")
    op.drop_index("ix_referral_elder_id", table_name="referral")
    op.drop_table("referral")
    with op.batch_alter_table("visit", schema=None) as batch_op:
        for name, _ in reversed(CONTENT):
            batch_op.drop_column(name)
