"""imports of an office's lists, certificates of volunteer service, and who signs for a
community

Issue 14: an import is a batch that remembers its file and the records it created (undone
as a whole, by deactivating them, on the same day); the column mapping an office chose is
remembered per community and register. A certificate (志愿服务记录证明) is kept as
issued, so its number can be checked. A community gets the person in charge and the office
phone its certificates name; elders and volunteers a gender (an office's lists carry 性别).
Existing rows get "" for the new text columns: nothing recorded yet.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 13:10:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "importmapping",
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("header", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("field", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('volunteer', 'elder', 'merchant')", name="ck_importmapping_kind"
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
        ),
        sa.PrimaryKeyConstraint("community_id", "kind", "header"),
    )
    op.create_table(
        "importbatch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "volunteer", "elder", "merchant", name="importkind", native_enum=False, length=20
            ),
            nullable=False,
        ),
        sa.Column("file_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("created_count", sa.Integer(), nullable=False),
        sa.Column("skipped_count", sa.Integer(), nullable=False),
        sa.Column("imported_by", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("undone_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("undone_by", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('volunteer', 'elder', 'merchant')", name="ck_importbatch_kind"
        ),
        sa.CheckConstraint(
            "row_count >= 0 AND created_count >= 0 AND skipped_count >= 0",
            name="ck_importbatch_counts",
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
        ),
        sa.ForeignKeyConstraint(
            ["imported_by"],
            ["account.id"],
        ),
        sa.ForeignKeyConstraint(
            ["undone_by"],
            ["account.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("importbatch", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_importbatch_community_id"), ["community_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_importbatch_created_at"), ["created_at"], unique=False)

    op.create_table(
        "importedrecord",
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["importbatch.id"],
        ),
        sa.PrimaryKeyConstraint("batch_id", "record_id"),
    )
    op.create_table(
        "servicecertificate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("volunteer_id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("service_count", sa.Integer(), nullable=False),
        sa.Column("total_hours", sa.Float(), nullable=False),
        sa.Column("digest", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("person_in_charge", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("contact_phone", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("issued_by", sa.Integer(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("period_start <= period_end", name="ck_servicecertificate_period"),
        sa.CheckConstraint(
            "service_count >= 0 AND total_hours >= 0", name="ck_servicecertificate_totals"
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
        ),
        sa.ForeignKeyConstraint(
            ["issued_by"],
            ["account.id"],
        ),
        sa.ForeignKeyConstraint(
            ["volunteer_id"],
            ["volunteer.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
    )
    with op.batch_alter_table("servicecertificate", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_servicecertificate_community_id"), ["community_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_servicecertificate_volunteer_id"), ["volunteer_id"], unique=False
        )

    with op.batch_alter_table("community", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "person_in_charge",
                sqlmodel.sql.sqltypes.AutoString(length=40),
                nullable=False,
                server_default="",
            )
        )
        batch_op.add_column(
            sa.Column(
                "office_phone",
                sqlmodel.sql.sqltypes.AutoString(length=20),
                nullable=False,
                server_default="",
            )
        )

    with op.batch_alter_table("elder", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "gender",
                sqlmodel.sql.sqltypes.AutoString(length=2),
                nullable=False,
                server_default="",
            )
        )

    with op.batch_alter_table("volunteer", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "gender",
                sqlmodel.sql.sqltypes.AutoString(length=2),
                nullable=False,
                server_default="",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("volunteer", schema=None) as batch_op:
        batch_op.drop_column("gender")

    with op.batch_alter_table("elder", schema=None) as batch_op:
        batch_op.drop_column("gender")

    with op.batch_alter_table("community", schema=None) as batch_op:
        batch_op.drop_column("office_phone")
        batch_op.drop_column("person_in_charge")

    with op.batch_alter_table("servicecertificate", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_servicecertificate_volunteer_id"))
        batch_op.drop_index(batch_op.f("ix_servicecertificate_community_id"))

    op.drop_table("servicecertificate")
    op.drop_table("importedrecord")
    with op.batch_alter_table("importbatch", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_importbatch_created_at"))
        batch_op.drop_index(batch_op.f("ix_importbatch_community_id"))

    op.drop_table("importbatch")
    op.drop_table("importmapping")
