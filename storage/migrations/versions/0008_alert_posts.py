"""alert posts

`alert_posts` keeps the references of the posts in an alert's thread (the drafted reply, the
lines of messages that joined), so `tonewatch forget` can take them back from Slack and Teams:
the Bot Connector cannot list a thread's replies.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 07:45:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate renders sqlmodel.sql.sqltypes.AutoString)
from alembic import op

import storage.types  # noqa: F401

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('alert_posts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('alert_id', sa.Integer(), nullable=False),
    sa.Column('platform', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('ref', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=True),
    sa.Column('created_at', storage.types.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['alert_id'], ['alerts.id'], ),
    sa.ForeignKeyConstraint(['message_id'], ['messages.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('alert_posts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alert_posts_alert_id'), ['alert_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_alert_posts_message_id'), ['message_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_alert_posts_message_id', table_name='alert_posts')
    op.drop_index('ix_alert_posts_alert_id', table_name='alert_posts')
    op.drop_table('alert_posts')
