"""alert messages

`alert_messages` lists the customer messages counted on each alert (the one that opened it and
each that joined), so an edit or a deletion in Slack or Teams can take a message off its alert.
Existing alerts get the message their card quotes and those their thread posts carry.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 04:40:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('alert_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('alert_id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['alert_id'], ['alerts.id'], ),
    sa.ForeignKeyConstraint(['message_id'], ['messages.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('alert_id', 'message_id', name='uq_alert_messages')
    )
    with op.batch_alter_table('alert_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alert_messages_alert_id'), ['alert_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_alert_messages_message_id'), ['message_id'], unique=False)
    op.execute(
        "INSERT INTO alert_messages (alert_id, message_id) "
        "SELECT id, message_id FROM alerts WHERE message_id IS NOT NULL "
        "UNION SELECT alert_id, message_id FROM alert_posts WHERE message_id IS NOT NULL"
    )


def downgrade() -> None:
    op.drop_index('ix_alert_messages_message_id', table_name='alert_messages')
    op.drop_index('ix_alert_messages_alert_id', table_name='alert_messages')
    op.drop_table('alert_messages')
