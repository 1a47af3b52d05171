"""proxy months: proxy request figures per community and month, kept at every write

The proxy figures and charts read these sums instead of a year of requests
(services/proxy_months.py); they are counted here from the requests an office already
has. Indexes for what still reads requests by period: done in a period (the medians, the
board's recently done), rejected recently, the board's call-back group (done, not rated)
and the 差评 rated in a period.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 08:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CALL_BACK = "status = 'done' AND satisfaction IS NULL"


def upgrade() -> None:
    op.create_table(
        "proxy_intake_month",
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("month", sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("requests", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["community_id"], ["community.id"]),
        sa.PrimaryKeyConstraint("community_id", "month", "kind"),
    )
    op.create_table(
        "proxy_done_month",
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("month", sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("on_time", sa.Integer(), nullable=False),
        sa.Column("rated", sa.Integer(), nullable=False),
        sa.Column("rating_sum", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["community_id"], ["community.id"]),
        sa.PrimaryKeyConstraint("community_id", "month", "agent_id"),
    )
    op.create_index("ix_proxyrequest_status_done_at", "proxyrequest", ["status", "done_at"])
    op.create_index(
        "ix_proxyrequest_status_requested_on", "proxyrequest", ["status", "requested_on"]
    )
    op.create_index(
        "ix_proxyrequest_call_back",
        "proxyrequest",
        ["done_at"],
        sqlite_where=sa.text(CALL_BACK),
        postgresql_where=sa.text(CALL_BACK),
    )
    op.create_index("ix_proxyrequest_rated_at", "proxyrequest", ["rated_at"])
    if op.get_bind().dialect.name == "sqlite":
        requested = "substr(requested_on, 1, 7)"
        done = "strftime('%Y-%m', done_at, '+8 hours')"
        late_by = "julianday(done_at, '+8 hours') - julianday(due_on)"
    else:
        requested = "to_char(requested_on, 'YYYY-MM')"
        done = "to_char(timezone('Asia/Shanghai', done_at), 'YYYY-MM')"
        late_by = (
            "extract(epoch from done_at - timezone('Asia/Shanghai', CAST(due_on AS TIMESTAMP)))"
            " / 86400.0"
        )
    op.execute(
        "INSERT INTO proxy_intake_month (community_id, month, kind, requests) "
        f"SELECT community_id, {requested}, kind, count(*) FROM proxyrequest "
        f"GROUP BY community_id, {requested}, kind"
    )
    op.execute(
        "INSERT INTO proxy_done_month "
        "(community_id, month, agent_id, done, on_time, rated, rating_sum) "
        f"SELECT community_id, {done}, coalesce(agent_account_id, 0), count(*), "
        f"sum(CASE WHEN {late_by} < 1 THEN 1 ELSE 0 END), count(satisfaction), "
        "coalesce(sum(satisfaction), 0) FROM proxyrequest "
        "WHERE status = 'done' AND done_at IS NOT NULL "
        f"GROUP BY community_id, {done}, coalesce(agent_account_id, 0)"
    )


def downgrade() -> None:
    op.drop_index("ix_proxyrequest_rated_at", table_name="proxyrequest")
    op.drop_index("ix_proxyrequest_call_back", table_name="proxyrequest")
    op.drop_index("ix_proxyrequest_status_requested_on", table_name="proxyrequest")
    op.drop_index("ix_proxyrequest_status_done_at", table_name="proxyrequest")
    op.drop_table("proxy_done_month")
    op.drop_table("proxy_intake_month")
