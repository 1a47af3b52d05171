"""merchant proxy services: 好差评 rectifications and filing deadlines

- proxyrequest.rated_at: when the merchant rated. The rating column (satisfaction) keeps
  its values: 5..1 now name the five levels of the government service evaluation
  (5 非常满意, 4 满意, 3 基本满意, 2 不满意, 1 非常不满意), so an old rating of five stars
  reads 非常满意 and one of two stars 不满意. Old ratings get rated_at = done_at (the
  best known day; they were given at closing or at a call-back after it).
- proxyrectification: the rectification (整改) a 差评 opens and its call-back (回访).
  Old 差评 get none: they were rated before rectifications existed (the rate counts
  them as not rectified, which they were not).
- street.rectification_days: the working days a rectification has (default 5).
- merchantfiling: staff's mark that a merchant filed in a year's window.
- merchant.annual_report_due is dropped: the annual report's deadline is the same for
  every 个体工商户 (30 June, services/filings.py). No value is lost: each one stands in
  the audit trail as a change of the merchant (annual_report_due: old -> none, by no
  account), and downgrade() puts them back from there.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06 03:00:00

"""

import json
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MOVED = "annual_report_due"


def upgrade() -> None:
    with op.batch_alter_table("proxyrequest") as batch:
        batch.add_column(sa.Column("rated_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE proxyrequest SET rated_at = done_at WHERE satisfaction IS NOT NULL")
    with op.batch_alter_table("street") as batch:
        batch.add_column(
            sa.Column("rectification_days", sa.Integer(), nullable=False, server_default="5")
        )
        batch.create_check_constraint(
            "ck_street_rectification_days", "rectification_days >= 1 AND rectification_days <= 30"
        )
    op.create_table(
        "proxyrectification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("called_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("called_by_account_id", sa.Integer(), nullable=True),
        sa.Column(
            "outcome",
            sa.Enum("resolved", "explained", name="callbackoutcome", native_enum=False, length=20),
            nullable=True,
        ),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.CheckConstraint("deadline >= opened_on", name="ck_proxyrectification_deadline"),
        sa.CheckConstraint(
            "outcome IN ('resolved', 'explained')", name="ck_proxyrectification_outcome"
        ),
        sa.ForeignKeyConstraint(["called_by_account_id"], ["account.id"]),
        sa.ForeignKeyConstraint(["community_id"], ["community.id"]),
        sa.ForeignKeyConstraint(["request_id"], ["proxyrequest.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("request_id"),
    )
    op.create_index("ix_proxyrectification_community_id", "proxyrectification", ["community_id"])
    op.create_index("ix_proxyrectification_opened_on", "proxyrectification", ["opened_on"])
    op.create_table(
        "merchantfiling",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("merchant_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "annual_report", "tax_settlement", name="filingkind", native_enum=False, length=20
            ),
            nullable=False,
        ),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("filed_on", sa.Date(), nullable=False),
        sa.Column("recorded_by_account_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('annual_report', 'tax_settlement')", name="ck_merchantfiling_kind"
        ),
        sa.ForeignKeyConstraint(["merchant_id"], ["merchant.id"]),
        sa.ForeignKeyConstraint(["recorded_by_account_id"], ["account.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("merchant_id", "kind", "year"),
    )
    op.create_index("ix_merchantfiling_merchant_id", "merchantfiling", ["merchant_id"])

    conn = op.get_bind()
    kept = conn.execute(
        sa.text(f"SELECT id, {MOVED} FROM merchant WHERE {MOVED} IS NOT NULL ORDER BY id")
    ).all()
    audit = sa.table(
        "auditentry",
        sa.column("at", sa.DateTime(timezone=True)),
        sa.column("account_id", sa.Integer()),
        sa.column("action", sa.String()),
        sa.column("table_name", sa.String()),
        sa.column("row_id", sa.Integer()),
        sa.column("changes", sa.String()),
    )
    now = datetime.now(UTC)
    if kept:
        op.bulk_insert(
            audit,
            [
                {
                    "at": now,
                    "account_id": None,
                    "action": "update",
                    "table_name": "merchant",
                    "row_id": merchant_id,
                    "changes": json.dumps({MOVED: [str(due), None]}),
                }
                for merchant_id, due in kept
            ],
        )
    with op.batch_alter_table("merchant") as batch:
        batch.drop_column(MOVED)


def downgrade() -> None:
    with op.batch_alter_table("merchant") as batch:
        batch.add_column(sa.Column(MOVED, sa.Date(), nullable=True))
    conn = op.get_bind()
    entries = conn.execute(
        sa.text(
            "SELECT row_id, changes FROM auditentry WHERE table_name = 'merchant' "
            "AND account_id IS NULL AND action = 'update' ORDER BY id"
        )
    ).all()
    for merchant_id, changes in entries:
        old = json.loads(changes).get(MOVED)
        if old and old[1] is None and old[0]:
            conn.execute(
                sa.text(f"UPDATE merchant SET {MOVED} = :due WHERE id = :id"),
                {"due": datetime.fromisoformat(old[0]).date(), "id": merchant_id},
            )
    op.drop_index("ix_merchantfiling_merchant_id", table_name="merchantfiling")
    op.drop_table("merchantfiling")
    op.drop_index("ix_proxyrectification_opened_on", table_name="proxyrectification")
    op.drop_index("ix_proxyrectification_community_id", table_name="proxyrectification")
    op.drop_table("proxyrectification")
    with op.batch_alter_table("street") as batch:
        batch.drop_constraint("ck_street_rectification_days", type_="check")
        batch.drop_column("rectification_days")
    with op.batch_alter_table("proxyrequest") as batch:
        batch.drop_column("rated_at")
