"""visit tiers, major changes, campaigns and voided visits; 高龄 no longer a tag

The interval table becomes tiers (visittier): a name, an interval and condition sets.
How the old rules (visitpolicy) become tiers, without losing an office's edits:

- a street whose rules are still the old defaults (独居 7, 失能 7, age80 14, care3 7,
  default 30) and no community rules of its own gets the new default tiers (高风险 7,
  重点 30, 一般 90, after the tiered practice);
- otherwise every rule becomes a tier of its own with the same days and one condition
  set (a situation: any of it; 高龄 and age80: age at least 80; careN: care level at
  least N; default: the default tier), so every elder keeps the interval they had; a
  community with rules of its own gets its own tiers: the street's rules with its own
  over them, as the old table read.

高龄 is derived from the birth date now: the tag is taken out of every elder's situations
(nothing else changes). Visits gain `voided` and `fix_reason` (all existing visits stand).

Downgrade: the old table with the old default rules, tags as they are (高龄 not restored).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 03:00:00

"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_DEFAULTS = {"独居": 7, "失能": 7, "age80": 14, "care3": 7, "default": 30}
NEW_DEFAULTS = [
    (
        "高风险",
        7,
        [
            {"age": 80, "situations": ["独居", "空巢", "留守"]},
            {"situations": ["失智"]},
            {"care": 3},
        ],
    ),
    ("重点", 30, [{"situations": ["失能", "重残", "计生特殊", "特困"]}]),
    ("一般", 90, []),
]
RULE_NAMES = {"age80": "80岁以上", "care2": "照护2级以上", "care3": "照护3级以上"}
RULE_NAMES |= {"care4": "照护4级", "default": "一般", "高龄": "高龄"}


def _tier_of(rule: str, days: int) -> tuple[str, int, list]:
    """One old rule as a tier with the same meaning."""
    if rule == "default":
        conditions: list = []
    elif rule in ("age80", "高龄"):
        conditions = [{"age": 80}]
    elif rule.startswith("care"):
        conditions = [{"care": int(rule[4:])}]
    else:
        conditions = [{"situations": [rule]}]
    return RULE_NAMES.get(rule, rule), days, conditions


def _convert(conn) -> list[dict]:
    """The tiers that replace the old rules (see the module's docstring)."""
    rows = conn.execute(
        sa.text("SELECT community_id, situation, interval_days FROM visitpolicy ORDER BY id")
    ).all()
    street = {r.situation: r.interval_days for r in rows if r.community_id is None}
    own: dict[int, dict[str, int]] = {}
    for r in rows:
        if r.community_id is not None:
            own.setdefault(r.community_id, {})[r.situation] = r.interval_days
    if (street or OLD_DEFAULTS) == OLD_DEFAULTS and not own:
        sets = {None: NEW_DEFAULTS}
    else:
        street = street or dict(OLD_DEFAULTS)
        street.setdefault("default", 30)
        sets = {None: [_tier_of(rule, days) for rule, days in street.items()]}
        for community_id, rules in own.items():
            merged = street | rules
            sets[community_id] = [_tier_of(rule, days) for rule, days in merged.items()]
    tiers = []
    for community_id, converted in sets.items():
        for name, days, conditions in converted:
            tiers.append(
                {
                    "community_id": community_id,
                    "name": name,
                    "interval_days": days,
                    "conditions": json.dumps(conditions, ensure_ascii=False),
                    "active": True,
                }
            )
    return tiers


def upgrade() -> None:
    visittier = op.create_table(
        "visittier",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=True),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("interval_days", sa.Integer(), nullable=False),
        sa.Column("conditions", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "interval_days >= 1 AND interval_days <= 366", name="ck_visittier_interval_days"
        ),
        sa.ForeignKeyConstraint(["community_id"], ["community.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_visittier_community_id", "visittier", ["community_id"], unique=False)
    for name, columns, where in (
        ("ux_visittier_street_name", ["name"], "community_id IS NULL AND active"),
        (
            "ux_visittier_community_name",
            ["community_id", "name"],
            "community_id IS NOT NULL AND active",
        ),
    ):
        op.create_index(
            name,
            "visittier",
            columns,
            unique=True,
            sqlite_where=sa.text(where),
            postgresql_where=sa.text(where),
        )
    op.create_table(
        "elderchange",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("elder_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["elder_id"], ["elder.id"]),
        sa.ForeignKeyConstraint(["recorded_by"], ["account.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_elderchange_elder_id", "elderchange", ["elder_id"], unique=False)
    op.create_table(
        "visitcampaign",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=True),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("group_kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("group_value", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.CheckConstraint("days >= 1 AND days <= 90", name="ck_visitcampaign_days"),
        sa.ForeignKeyConstraint(["community_id"], ["community.id"]),
        sa.ForeignKeyConstraint(["created_by"], ["account.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_visitcampaign_community_id", "visitcampaign", ["community_id"])
    op.create_table(
        "visitcampaignelder",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("elder_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["visitcampaign.id"]),
        sa.ForeignKeyConstraint(["elder_id"], ["elder.id"]),
        sa.PrimaryKeyConstraint("campaign_id", "elder_id"),
    )
    op.create_index("ix_visitcampaignelder_elder_id", "visitcampaignelder", ["elder_id"])
    with op.batch_alter_table("visit", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("voided", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column(
                "fix_reason",
                sqlmodel.sql.sqltypes.AutoString(length=200),
                nullable=False,
                server_default="",
            )
        )
    with op.batch_alter_table("visit", schema=None) as batch_op:
        batch_op.alter_column("voided", server_default=None)
        batch_op.alter_column("fix_reason", server_default=None)

    conn = op.get_bind()
    tiers = _convert(conn)
    if tiers:
        op.bulk_insert(visittier, tiers)
    # 高龄 is derived from the birth date: the tag goes, the other situations stay
    elders = conn.execute(
        sa.text("SELECT id, situations FROM elder WHERE situations LIKE '%高龄%'")
    ).all()
    for elder_id, situations in elders:
        kept = ",".join(s for s in situations.split(",") if s and s != "高龄")
        conn.execute(
            sa.text("UPDATE elder SET situations = :kept WHERE id = :id"),
            {"kept": kept, "id": elder_id},
        )

    op.drop_index("ux_visitpolicy_community_rule", table_name="visitpolicy")
    op.drop_index("ux_visitpolicy_street_rule", table_name="visitpolicy")
    op.drop_index("ix_visitpolicy_community_id", table_name="visitpolicy")
    op.drop_table("visitpolicy")


def downgrade() -> None:
    visitpolicy = op.create_table(
        "visitpolicy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=True),
        sa.Column("situation", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("interval_days", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "interval_days >= 1 AND interval_days <= 366", name="ck_visitpolicy_interval_days"
        ),
        sa.ForeignKeyConstraint(["community_id"], ["community.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_visitpolicy_community_id", "visitpolicy", ["community_id"])
    op.create_index(
        "ux_visitpolicy_street_rule",
        "visitpolicy",
        ["situation"],
        unique=True,
        sqlite_where=sa.text("community_id IS NULL"),
        postgresql_where=sa.text("community_id IS NULL"),
    )
    op.create_index(
        "ux_visitpolicy_community_rule",
        "visitpolicy",
        ["community_id", "situation"],
        unique=True,
        sqlite_where=sa.text("community_id IS NOT NULL"),
        postgresql_where=sa.text("community_id IS NOT NULL"),
    )
    op.bulk_insert(
        visitpolicy,
        [
            {"community_id": None, "situation": rule, "interval_days": days}
            for rule, days in OLD_DEFAULTS.items()
        ],
    )
    with op.batch_alter_table("visit", schema=None) as batch_op:
        batch_op.drop_column("fix_reason")
        batch_op.drop_column("voided")
    op.drop_index("ix_visitcampaignelder_elder_id", table_name="visitcampaignelder")
    op.drop_table("visitcampaignelder")
    op.drop_index("ix_visitcampaign_community_id", table_name="visitcampaign")
    op.drop_table("visitcampaign")
    op.drop_index("ix_elderchange_elder_id", table_name="elderchange")
    op.drop_table("elderchange")
    op.drop_index("ux_visittier_community_name", table_name="visittier")
    op.drop_index("ux_visittier_street_name", table_name="visittier")
    op.drop_index("ix_visittier_community_id", table_name="visittier")
    op.drop_table("visittier")
