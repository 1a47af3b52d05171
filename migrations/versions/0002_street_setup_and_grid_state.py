"""street, grid.active, account.must_change_password

The first-start steps of a real office (issue 18): the street row with its name, district
and the step reached; grids that can be deactivated; accounts whose handed-out password
must be changed at the first sign-in. Existing rows keep working: every grid stays
active and no existing account is asked to change its password.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 10:00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


# revision identifiers, used by Alembic.
revision: str = '0002'
down_revision: Union[str, Sequence[str], None] = '0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('street',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('district', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('setup_step', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    # A board that already has communities (the demo, an office from before) has done its
    # first start: record its street and mark the steps done, so no one is sent through them.
    op.execute(
        "INSERT INTO street (name, district, setup_step) "
        "SELECT street, district, 4 FROM community "
        "WHERE id = (SELECT min(id) FROM community)"
    )
    with op.batch_alter_table('grid', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('active', sa.Boolean(), nullable=False, server_default=sa.true())
        )
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                'must_change_password', sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.drop_column('must_change_password')
    with op.batch_alter_table('grid', schema=None) as batch_op:
        batch_op.drop_column('active')
    op.drop_table('street')
