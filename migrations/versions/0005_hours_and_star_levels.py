"""signup hours by source (签到 / 补录), editable star thresholds, star announcements

《志愿服务记录与证明出具办法》: hours recorded by check-in and check-out are kept apart
from hours entered or changed by staff (补录), with who entered them and why. The street
sets the star thresholds (a table; no rows means the defaults 100/300/600/1000/1500 h),
and a volunteer's page announces a new star level once.

Existing rows: a sign-up's hours are 补录 (staff) when staff last set them, which the
audit trail tells (the last change of its hours did not come with a check-out, and its
author is recorded as the one who entered them), or when it has hours but no check-out
at all; every other sign-up keeps its hours as recorded by check-in and check-out. Their
reason is empty (it was never asked). Each volunteer's star level under the default
thresholds counts as announced already, so only a level reached from now on is
announced.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 03:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# the last audit entry that changed a sign-up's hours (JSON written by services/audit.py)
_LAST_HOURS_CHANGE = (
    "SELECT max(a.id) FROM auditentry a WHERE a.table_name = 'signup' "
    "AND a.row_id = signup.id AND a.changes LIKE '%\"hours\": %'"
)
_STAFF_SET_HOURS = (
    "signup.hours > 0 AND (signup.check_out_at IS NULL OR EXISTS ("
    "SELECT 1 FROM auditentry e WHERE e.id = (" + _LAST_HOURS_CHANGE + ") "
    "AND e.changes NOT LIKE '%\"check\\_out\\_at\"%' ESCAPE '\\'))"
)


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "starthreshold",
        sa.Column("stars", sa.Integer(), nullable=False),
        sa.Column("hours", sa.Integer(), nullable=False),
        sa.CheckConstraint("stars >= 1 AND stars <= 5", name="ck_starthreshold_stars"),
        sa.CheckConstraint("hours >= 1", name="ck_starthreshold_hours"),
        sa.PrimaryKeyConstraint("stars"),
    )
    with op.batch_alter_table("signup", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "hours_source",
                sa.Enum("check", "staff", name="hourssource", native_enum=False, length=20),
                nullable=False,
                server_default="check",
            )
        )
        batch_op.add_column(sa.Column("hours_entered_by", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "hours_reason",
                sqlmodel.sql.sqltypes.AutoString(length=200),
                nullable=False,
                server_default="",
            )
        )
        batch_op.create_foreign_key(
            "fk_signup_hours_entered_by_account", "account", ["hours_entered_by"], ["id"]
        )
        batch_op.create_check_constraint(
            "ck_signup_hours_source", "hours_source IN ('check', 'staff')"
        )
    with op.batch_alter_table("volunteer", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("stars_announced", sa.Integer(), nullable=False, server_default="0")
        )
    op.execute(
        "UPDATE signup SET hours_source = 'staff', hours_entered_by = ("
        "SELECT a.account_id FROM auditentry a WHERE a.id = (" + _LAST_HOURS_CHANGE + ")) "
        "WHERE " + _STAFF_SET_HOURS
    )
    op.execute(
        "UPDATE volunteer SET stars_announced = ("
        "SELECT CASE WHEN h >= 1500 THEN 5 WHEN h >= 1000 THEN 4 WHEN h >= 600 THEN 3 "
        "WHEN h >= 300 THEN 2 WHEN h >= 100 THEN 1 ELSE 0 END FROM ("
        "SELECT coalesce(sum(s.hours), 0) AS h FROM signup s "
        "WHERE s.volunteer_id = volunteer.id AND s.hours_status = 'approved') AS approved)"
    )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("volunteer", schema=None) as batch_op:
        batch_op.drop_column("stars_announced")
    with op.batch_alter_table("signup", schema=None) as batch_op:
        batch_op.drop_constraint("ck_signup_hours_source", type_="check")
        batch_op.drop_constraint("fk_signup_hours_entered_by_account", type_="foreignkey")
        batch_op.drop_column("hours_reason")
        batch_op.drop_column("hours_entered_by")
        batch_op.drop_column("hours_source")
    op.drop_table("starthreshold")
