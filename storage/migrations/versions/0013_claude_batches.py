"""claude batches

`claude_batches` records each Message Batch of `tonewatch import --batch` before it is submitted, and
`claude_batch_items` the message each of its requests analyzes, so that running the command again after
an interruption resumes the same batch.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 05:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate renders sqlmodel.sql.sqltypes.AutoString)
from alembic import op

import storage.types  # noqa: F401

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('claude_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('model', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('request_count', sa.Integer(), nullable=False),
    sa.Column('created_at', storage.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', storage.types.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('batch_id')
    )
    op.create_table('claude_batch_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_row_id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('custom_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('sent_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.ForeignKeyConstraint(['batch_row_id'], ['claude_batches.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('batch_row_id', 'custom_id', name='uq_claude_batch_items_custom_id')
    )
    with op.batch_alter_table('claude_batch_items', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_claude_batch_items_batch_row_id'), ['batch_row_id'], unique=False
        )
        batch_op.create_index(batch_op.f('ix_claude_batch_items_message_id'), ['message_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('claude_batch_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_claude_batch_items_message_id'))
        batch_op.drop_index(batch_op.f('ix_claude_batch_items_batch_row_id'))
    op.drop_table('claude_batch_items')
    op.drop_table('claude_batches')
