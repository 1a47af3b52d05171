"""residents' cases: the table of cases (需求清单 → 满意清单) and the history of their
steps, a dispute's mediation record (人民调解), the departments the street calls in
(吹哨, 部门报到), each category's time limit, the office's own working-day calendar, and
the counter of each year's case numbers

Issue 13: a need a grid worker finds, a resident brings or a visit raises is followed
through the grid-management workflow (services/cases.py) until the resident is
satisfied; every step keeps who and when, so the figures (响应率, 解决率, 满意率, disputes
mediated) are counted from records. The time limits start as the defaults of
services/case_settings.py (DEFAULT_LIMITS), inserted here so the admin edits rows that
exist: 投诉/举报 13 working days, the three disputes 30 calendar days, the rest 3
working days.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 10:14:10

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (category, days, working days): as services/case_settings.DEFAULT_LIMITS
DEFAULT_LIMITS = (
    ("facilities", 3, True),
    ("sanitation", 3, True),
    ("property_dispute", 30, False),
    ("neighbour_dispute", 30, False),
    ("family_dispute", 30, False),
    ("policy", 3, True),
    ("help", 3, True),
    ("complaint", 13, True),
    ("other", 3, True),
)


def upgrade() -> None:
    op.create_table(
        "calendarday",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("working", sa.Boolean(), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.PrimaryKeyConstraint("day"),
    )
    op.create_table(
        "casenumber",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year"),
    )
    op.create_table(
        "casedepartment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("contact_name", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("contact_phone", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "caselimit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("category", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("working_days", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "category IN ('facilities', 'sanitation', 'property_dispute', 'neighbour_dispute', 'family_dispute', 'policy', 'help', 'complaint', 'other')",
            name="ck_caselimit_category",
        ),
        sa.CheckConstraint("days >= 0 AND days <= 90", name="ck_caselimit_days"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("category"),
    )
    limits = sa.table(
        "caselimit",
        sa.column("category", sa.String),
        sa.column("days", sa.Integer),
        sa.column("working_days", sa.Boolean),
    )
    op.bulk_insert(
        limits,
        [{"category": c, "days": d, "working_days": w} for c, d, w in DEFAULT_LIMITS],
    )
    op.create_table(
        "resident_case",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("grid_id", sa.Integer(), nullable=True),
        sa.Column(
            "source",
            sa.Enum(
                "patrol",
                "walk_in",
                "council",
                "hotline",
                "phone",
                "other",
                name="casesource",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column(
            "category",
            sa.Enum(
                "facilities",
                "sanitation",
                "property_dispute",
                "neighbour_dispute",
                "family_dispute",
                "policy",
                "help",
                "complaint",
                "other",
                name="casecategory",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column(
            "urgency",
            sa.Enum(
                "on_the_spot", "urgent", "normal", name="caseurgency", native_enum=False, length=20
            ),
            nullable=False,
        ),
        sa.Column("place", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("resident_name", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("resident_phone", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("elder_id", sa.Integer(), nullable=True),
        sa.Column("visit_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "reported",
                "declined",
                "accepted",
                "escalated",
                "dispatched",
                "in_progress",
                "handled",
                "closed",
                "rectifying",
                "satisfied",
                "unreachable",
                name="casestatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reported_by", sa.Integer(), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decline_reason", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("dispatched_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("assignee_account_id", sa.Integer(), nullable=True),
        sa.Column("assignee_team_id", sa.Integer(), nullable=True),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("department_answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("result", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved", sa.Boolean(), nullable=True),
        sa.Column("called_back_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("satisfaction", sa.Integer(), nullable=True),
        sa.Column("rectify_due", sa.Date(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "category IN ('facilities', 'sanitation', 'property_dispute', 'neighbour_dispute', 'family_dispute', 'policy', 'help', 'complaint', 'other')",
            name="ck_resident_case_category",
        ),
        sa.CheckConstraint(
            "source IN ('patrol', 'walk_in', 'council', 'hotline', 'phone', 'other')",
            name="ck_resident_case_source",
        ),
        sa.CheckConstraint(
            "status IN ('reported', 'declined', 'accepted', 'escalated', 'dispatched', 'in_progress', 'handled', 'closed', 'rectifying', 'satisfied', 'unreachable')",
            name="ck_resident_case_status",
        ),
        sa.CheckConstraint(
            "urgency IN ('on_the_spot', 'urgent', 'normal')", name="ck_resident_case_urgency"
        ),
        sa.CheckConstraint(
            "satisfaction IS NULL OR (satisfaction >= 1 AND satisfaction <= 5)",
            name="ck_resident_case_satisfaction",
        ),
        sa.ForeignKeyConstraint(
            ["assignee_account_id"],
            ["account.id"],
        ),
        sa.ForeignKeyConstraint(
            ["assignee_team_id"],
            ["team.id"],
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["casedepartment.id"],
        ),
        sa.ForeignKeyConstraint(
            ["elder_id"],
            ["elder.id"],
        ),
        sa.ForeignKeyConstraint(
            ["grid_id"],
            ["grid.id"],
        ),
        sa.ForeignKeyConstraint(
            ["reported_by"],
            ["account.id"],
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["visit.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
    )
    with op.batch_alter_table("resident_case", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_resident_case_assignee_account_id"),
            ["assignee_account_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_resident_case_community_id"), ["community_id"], unique=False
        )
        batch_op.create_index(
            "ix_resident_case_community_reported", ["community_id", "reported_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_resident_case_department_id"), ["department_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_resident_case_elder_id"), ["elder_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_resident_case_grid_id"), ["grid_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_resident_case_status"), ["status"], unique=False)
        batch_op.create_index("ix_resident_case_status_due", ["status", "due_on"], unique=False)

    op.create_table(
        "casestep",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "report",
                "accept",
                "decline",
                "escalate",
                "dispatch",
                "department_answer",
                "start",
                "feedback",
                "close",
                "call_back",
                "unreachable",
                "reopen",
                "extend",
                "note",
                "mediation",
                "send_back",
                name="casestepkind",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("account_name", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("to_whom", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("level", sa.Integer(), nullable=True),
        sa.Column("new_due", sa.Date(), nullable=True),
        sa.Column("approved_by", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.CheckConstraint(
            "kind IN ('report', 'accept', 'decline', 'escalate', 'dispatch', 'department_answer', 'start', 'feedback', 'close', 'call_back', 'unreachable', 'reopen', 'extend', 'note', 'mediation', 'send_back')",
            name="ck_casestep_kind",
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["resident_case.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("casestep", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_casestep_case_id"), ["case_id"], unique=False)

    op.create_table(
        "mediation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("parties", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column(
            "source",
            sa.Enum(
                "application",
                "initiative",
                "transferred",
                "entrusted",
                name="mediationsource",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("facts", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("mediator_name", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("mediated_on", sa.Date(), nullable=True),
        sa.Column(
            "outcome",
            sa.Enum(
                "written", "oral", "failed", name="mediationoutcome", native_enum=False, length=20
            ),
            nullable=True,
        ),
        sa.Column("terms", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("perform_by", sa.Date(), nullable=True),
        sa.Column("referred_to", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("performance_checked_on", sa.Date(), nullable=True),
        sa.Column("performed", sa.Boolean(), nullable=True),
        sa.Column("performance_note", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.CheckConstraint("outcome IN ('written', 'oral', 'failed')", name="ck_mediation_outcome"),
        sa.CheckConstraint(
            "source IN ('application', 'initiative', 'transferred', 'entrusted')",
            name="ck_mediation_source",
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["resident_case.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id"),
    )


def downgrade() -> None:
    op.drop_table("mediation")
    with op.batch_alter_table("casestep", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_casestep_case_id"))

    op.drop_table("casestep")
    with op.batch_alter_table("resident_case", schema=None) as batch_op:
        batch_op.drop_index("ix_resident_case_status_due")
        batch_op.drop_index(batch_op.f("ix_resident_case_status"))
        batch_op.drop_index(batch_op.f("ix_resident_case_grid_id"))
        batch_op.drop_index(batch_op.f("ix_resident_case_elder_id"))
        batch_op.drop_index(batch_op.f("ix_resident_case_department_id"))
        batch_op.drop_index("ix_resident_case_community_reported")
        batch_op.drop_index(batch_op.f("ix_resident_case_community_id"))
        batch_op.drop_index(batch_op.f("ix_resident_case_assignee_account_id"))

    op.drop_table("resident_case")
    op.drop_table("caselimit")
    op.drop_table("casedepartment")
    op.drop_table("casenumber")
    op.drop_table("calendarday")
