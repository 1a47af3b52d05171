"""residents' cases: photos of a case, taken at its report (the broken lamp a grid
worker found on a round) or with its result (the lamp repaired)

Issue 13: photos are optional, at most three a step; services/case_photos.py stores each
as a JPEG of at most 1280 px a side, upright and without its EXIF (a phone's photo
carries where it was taken), with a thumbnail of at most 320 px for the case's card;
the database refuses a larger photo. Nothing to carry over: no case had a photo before.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 10:57:02

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "casephoto",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column(
            "stage",
            sa.Enum("report", "result", name="casephotostage", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("content_type", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("thumbnail", sa.LargeBinary(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("taken_by", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("stage IN ('report', 'result')", name="ck_casephoto_stage"),
        sa.CheckConstraint(
            "width > 0 AND height > 0 AND width <= 1280 AND height <= 1280",
            name="ck_casephoto_size",
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["resident_case.id"],
        ),
        sa.ForeignKeyConstraint(
            ["taken_by"],
            ["account.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("casephoto", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_casephoto_case_id"), ["case_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("casephoto", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_casephoto_case_id"))

    op.drop_table("casephoto")
