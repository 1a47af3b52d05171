"""personal information: the access log, correction requests, retention settings

Issue 15 (个人信息保护法): every view of one person's full record and every export or
print of personal data is logged (kept at least six months, 网络安全法); a volunteer can
ask for a correction; the street sets how long personal data is kept, and records say
when their personal data was anonymised or a registrant's phone masked, and the day a
volunteer left (as an elder's; dated from the audit trail for those who left before). A staff member
who registers a caller on the public page is named on the registration.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 15:34:00

"""

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LOCAL = ZoneInfo("Asia/Shanghai")
_RETENTION = (
    ("access_log_months", "6", 6, 120),
    ("inactive_retention_years", "3", 1, 30),
    ("registrant_phone_days", "30", 1, 365),
)


def _text(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.create_table(
        "access_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("role", _text(20), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("view", "export", "print", name="accesskind", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("record_type", _text(20), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=True),
        sa.Column("community_id", sa.Integer(), nullable=True),
        sa.Column("page", _text(40), nullable=False),
        sa.Column("detail", _text(2000), nullable=False),
        sa.CheckConstraint("kind IN ('view', 'export', 'print')", name="ck_access_log_kind"),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"]),
        sa.ForeignKeyConstraint(["community_id"], ["community.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    for column in ("account_id", "at", "community_id", "record_id", "record_type"):
        op.create_index(f"ix_access_log_{column}", "access_log", [column])

    op.create_table(
        "correctionrequest",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("volunteer_id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("field", _text(40), nullable=False),
        sa.Column("current_value", _text(200), nullable=False),
        sa.Column("requested", _text(500), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open", "done", "declined", name="correctionstatus", native_enum=False, length=20
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("resolved_by", sa.Integer(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolution", _text(500), nullable=False),
        sa.CheckConstraint(
            "status IN ('open', 'done', 'declined')", name="ck_correctionrequest_status"
        ),
        sa.ForeignKeyConstraint(["community_id"], ["community.id"]),
        sa.ForeignKeyConstraint(["created_by"], ["account.id"]),
        sa.ForeignKeyConstraint(["resolved_by"], ["account.id"]),
        sa.ForeignKeyConstraint(["volunteer_id"], ["volunteer.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    for column in ("community_id", "volunteer_id"):
        op.create_index(f"ix_correctionrequest_{column}", "correctionrequest", [column])
    op.create_index(
        "ux_correctionrequest_open",
        "correctionrequest",
        ["volunteer_id", "field"],
        unique=True,
        sqlite_where=sa.text("status = 'open'"),
        postgresql_where=sa.text("status = 'open'"),
    )

    for table in ("elder", "volunteer"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("anonymised_on", sa.Date(), nullable=True))
    with op.batch_alter_table("volunteer") as batch:
        batch.add_column(sa.Column("deactivated_on", sa.Date(), nullable=True))
    _date_the_volunteers_who_left()

    with op.batch_alter_table("registration") as batch:
        batch.add_column(sa.Column("registered_by", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("phone_masked_on", sa.Date(), nullable=True))
        batch.create_foreign_key(
            "fk_registration_registered_by_account", "account", ["registered_by"], ["id"]
        )

    with op.batch_alter_table("street") as batch:
        for column, default, low, high in _RETENTION:
            batch.add_column(
                sa.Column(column, sa.Integer(), nullable=False, server_default=default)
            )
            batch.create_check_constraint(
                f"ck_street_{column}", f"{column} >= {low} AND {column} <= {high}"
            )


def _date_the_volunteers_who_left() -> None:
    """An inactive volunteer left on the local day of the latest audit entry that set
    their `active` to false (a change [true, false], or a creation as inactive); one with
    no such entry keeps no day, and retention leaves them as they are."""
    bind = op.get_bind()
    inactive = {
        row_id for (row_id,) in bind.execute(sa.text("SELECT id FROM volunteer WHERE NOT active"))
    }
    if not inactive:
        return
    left: dict[int, date] = {}
    entries = bind.execute(
        sa.text(
            "SELECT row_id, at, changes FROM auditentry WHERE table_name = 'volunteer' "
            "AND row_id IS NOT NULL ORDER BY id"
        )
    )
    for row_id, at, changes in entries:
        if row_id not in inactive:
            continue
        try:
            active = json.loads(changes or "{}").get("active", None)
        except (ValueError, AttributeError):
            continue
        now_active = active[-1] if isinstance(active, list) else active
        if now_active is False:
            at = at if isinstance(at, datetime) else datetime.fromisoformat(str(at))
            at = at.replace(tzinfo=UTC) if at.tzinfo is None else at
            left[row_id] = at.astimezone(LOCAL).date()
        elif now_active is True:
            left.pop(row_id, None)
    for row_id, day in left.items():
        bind.execute(
            sa.text("UPDATE volunteer SET deactivated_on = :day WHERE id = :id"),
            {"day": day, "id": row_id},
        )


def downgrade() -> None:
    with op.batch_alter_table("street") as batch:
        for column, *_ in _RETENTION:
            batch.drop_constraint(f"ck_street_{column}", type_="check")
            batch.drop_column(column)
    with op.batch_alter_table("registration") as batch:
        batch.drop_constraint("fk_registration_registered_by_account", type_="foreignkey")
        batch.drop_column("phone_masked_on")
        batch.drop_column("registered_by")
    with op.batch_alter_table("volunteer") as batch:
        batch.drop_column("deactivated_on")
    for table in ("volunteer", "elder"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("anonymised_on")
    op.drop_table("correctionrequest")
    op.drop_table("access_log")
