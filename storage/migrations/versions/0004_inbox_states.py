"""inbox states: where polling each IMAP inbox got to, and whether it is reachable

Generated with Alembic autogenerate, then reviewed: only `inbox_states` is
kept (autogenerate also proposed dropping the Slack tables, which live outside
the SQLModel metadata). UIDs and UIDVALIDITY are BigInteger because IMAP's are
unsigned 32-bit numbers.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 14:29:03.084199
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate renders sqlmodel.sql.sqltypes.AutoString)
from alembic import op

import storage.types  # noqa: F401

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('inbox_states',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('inbox_key', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('uidvalidity', sa.BigInteger(), nullable=True),
    sa.Column('last_uid', sa.BigInteger(), nullable=False),
    sa.Column('messages_stored', sa.Integer(), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('last_error', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('last_attempt_at', storage.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('last_success_at', storage.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('next_attempt_at', storage.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('locked_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('locked_until', storage.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('created_at', storage.types.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('inbox_states', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inbox_states_inbox_key'), ['inbox_key'], unique=True)


def downgrade() -> None:
    with op.batch_alter_table('inbox_states', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inbox_states_inbox_key'))

    op.drop_table('inbox_states')
