"""analysis guards and cache tokens

Each analysis keeps where Claude's reading was held to the contract (`guard_events`), the
commitments its draft makes (`draft_flags`), and the prompt-cache tokens it read and wrote.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 05:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('analyses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('guard_events', storage.types.JsonColumn, nullable=True))
        batch_op.add_column(sa.Column('draft_flags', storage.types.JsonColumn, nullable=True))
        batch_op.add_column(sa.Column('cache_read_tokens', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('cache_write_tokens', sa.Integer(), nullable=False, server_default='0'))


def downgrade() -> None:
    with op.batch_alter_table('analyses', schema=None) as batch_op:
        batch_op.drop_column('cache_write_tokens')
        batch_op.drop_column('cache_read_tokens')
        batch_op.drop_column('draft_flags')
        batch_op.drop_column('guard_events')
