"""the requests done in a period read from one index: status, done_at, and what the
proxy figures group and measure by (community, agent, day requested)

Issue 16: the median days to done over a year of a district's requests (47,000 rows)
fetched each row from the table after the (status, done_at) index found it: 360 ms a
median. The wider index replaces that one (it starts with the same two columns).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 15:50:00

"""

from collections.abc import Sequence

from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_proxyrequest_status_done_at", table_name="proxyrequest")
    op.create_index(
        "ix_proxyrequest_done_figures",
        "proxyrequest",
        ["status", "done_at", "community_id", "agent_account_id", "requested_on"],
    )


def downgrade() -> None:
    op.drop_index("ix_proxyrequest_done_figures", table_name="proxyrequest")
    op.create_index("ix_proxyrequest_status_done_at", "proxyrequest", ["status", "done_at"])
