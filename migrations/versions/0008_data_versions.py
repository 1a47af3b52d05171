"""data versions: a version per table and community, new at every write

Cached reads on every app server check these versions (one small query) instead of
every write clearing every cache: a write makes stale only the reads of the tables and
the community it changed, on this server and on any other server of the same database.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 06:20:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "data_version",
        sa.Column("scope", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("scope"),
    )


def downgrade() -> None:
    op.drop_table("data_version")
