"""the weekly rhythm: task series, check-in ways and walk-ins, the reminders' outbox

Issue 17: a task can repeat (task_series; its occurrences are tasks with series_id); a
sign-up says how the volunteer's arrival was recorded (their own press, the task's
check-in QR code, or staff) and whether staff added them on the spot; reminders are rows
of an outbox (message), sent to the board's bell and to a community's 企业微信 group
robot, whose webhook URL the community keeps.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06 18:20:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KINDS = ("elder_visit", "proxy_errand", "event_staff", "patrol", "other")
_MESSAGE_KINDS = (
    "task_tomorrow",
    "promoted",
    "task_cancelled",
    "event_cancelled",
    "visit_due",
    "proxy_deadline",
)


def _text(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def _enum(name: str, values: Sequence[str]) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, length=20)


def _in(column: str, values: Sequence[str]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    op.create_table(
        "task_series",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("title", _text(100), nullable=False),
        sa.Column("kind", _enum("taskkind", _KINDS), nullable=False),
        sa.Column("place", _text(200), nullable=False),
        sa.Column("description", _text(2000), nullable=False),
        sa.Column("required_skills", _text(200), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column(
            "rule", _enum("seriesrule", ("weekly", "fortnightly", "monthly")), nullable=False
        ),
        sa.Column("weekdays", _text(20), nullable=False),
        sa.Column("month_day", sa.Integer(), nullable=True),
        sa.Column("starts", sa.Time(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("until", sa.Date(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("capacity >= 1", name="ck_task_series_capacity"),
        sa.CheckConstraint("minutes >= 15 AND minutes <= 1440", name="ck_task_series_minutes"),
        sa.CheckConstraint(
            "month_day IS NULL OR (month_day >= 1 AND month_day <= 31)",
            name="ck_task_series_month_day",
        ),
        sa.CheckConstraint("until >= first_day", name="ck_task_series_until"),
        sa.CheckConstraint(
            _in("rule", ("weekly", "fortnightly", "monthly")), name="ck_task_series_rule"
        ),
        sa.CheckConstraint(_in("kind", _KINDS), name="ck_task_series_kind"),
        sa.ForeignKeyConstraint(["community_id"], ["community.id"]),
        sa.ForeignKeyConstraint(["created_by"], ["account.id"]),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_task_series_community_id", "task_series", ["community_id"])

    with op.batch_alter_table("task") as batch:
        batch.add_column(sa.Column("series_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_task_series_id_task_series", "task_series", ["series_id"], ["id"]
        )
        batch.create_index("ix_task_series_id", ["series_id"])

    ways = ("self", "scan", "staff")
    with op.batch_alter_table("signup") as batch:
        batch.add_column(sa.Column("check_in_way", _enum("checkinway", ways), nullable=True))
        batch.add_column(
            sa.Column("walk_in", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.create_check_constraint("ck_signup_check_in_way", _in("check_in_way", ways))

    with op.batch_alter_table("community") as batch:
        batch.add_column(sa.Column("wecom_webhook", _text(300), nullable=False, server_default=""))

    op.create_table(
        "message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", _text(160), nullable=False),
        sa.Column("kind", _enum("messagekind", _MESSAGE_KINDS), nullable=False),
        sa.Column("channel", _enum("messagechannel", ("board", "wecom")), nullable=False),
        sa.Column(
            "status",
            _enum("messagestatus", ("pending", "sent", "failed", "skipped")),
            nullable=False,
        ),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("community_id", sa.Integer(), nullable=True),
        sa.Column("record_type", _text(20), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=True),
        sa.Column("params", _text(2000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", _text(300), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(_in("kind", _MESSAGE_KINDS), name="ck_message_kind"),
        sa.CheckConstraint(_in("channel", ("board", "wecom")), name="ck_message_channel"),
        sa.CheckConstraint(
            _in("status", ("pending", "sent", "failed", "skipped")), name="ck_message_status"
        ),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"]),
        sa.ForeignKeyConstraint(["community_id"], ["community.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key", name="uq_message_key"),
    )
    op.create_index("ix_message_queue", "message", ["channel", "status", "next_attempt_at"])
    op.create_index("ix_message_account_read", "message", ["account_id", "read_at"])
    op.create_index("ix_message_community_id", "message", ["community_id"])


def downgrade() -> None:
    op.drop_table("message")
    with op.batch_alter_table("community") as batch:
        batch.drop_column("wecom_webhook")
    with op.batch_alter_table("signup") as batch:
        batch.drop_constraint("ck_signup_check_in_way", type_="check")
        batch.drop_column("walk_in")
        batch.drop_column("check_in_way")
    with op.batch_alter_table("task") as batch:
        batch.drop_index("ix_task_series_id")
        batch.drop_constraint("fk_task_series_id_task_series", type_="foreignkey")
        batch.drop_column("series_id")
    op.drop_table("task_series")
