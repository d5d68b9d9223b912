"""teams conversations: stored references for proactive posts

Generated with Alembic autogenerate, then reviewed: one table, `teams_conversations`,
holding the conversation reference of each Teams channel and chat Tonewatch was
added to (alerts, digests and private answers are sent through them later).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 15:02:37.290728
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate renders sqlmodel.sql.sqltypes.AutoString)
from alembic import op
from sqlalchemy import Text  # noqa: F401  (the JSONB variant renders astext_type=Text())
from sqlalchemy.dialects import postgresql

import storage.types  # noqa: F401

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('teams_conversations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('tenant_id', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('team_id', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('user_id', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('service_url', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('reference', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('installed', sa.Boolean(), nullable=False),
    sa.Column('created_at', storage.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', storage.types.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('teams_conversations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_teams_conversations_conversation_id'), ['conversation_id'], unique=True)
        batch_op.create_index(batch_op.f('ix_teams_conversations_user_id'), ['user_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('teams_conversations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_teams_conversations_user_id'))
        batch_op.drop_index(batch_op.f('ix_teams_conversations_conversation_id'))

    op.drop_table('teams_conversations')
