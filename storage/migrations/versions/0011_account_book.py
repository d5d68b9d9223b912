"""account book

The account book: each account's annual value, currency, tier, renewal date, CRM ids and the
outreach-suppression flag; the people who own accounts (`people`, `account_owners`);
`webhook_events`, the bodies of signed outbound webhooks waiting in the work queue; and what the
CRM sync pushed (`crm_pushes`) and the CRM tasks it made for alerts (`crm_tasks`).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 04:16:54.075479
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate renders sqlmodel.sql.sqltypes.AutoString)
from alembic import op
from sqlalchemy import Text  # noqa: F401  (the JSONB variant renders astext_type=Text())
from sqlalchemy.dialects import postgresql

import storage.types  # noqa: F401

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('people',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('slack_user_id', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=True),
    sa.Column('teams_user_id', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('dm_alerts', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('created_at', storage.types.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('email')
    )
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_people_slack_user_id'), ['slack_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_people_teams_user_id'), ['teams_user_id'], unique=False)

    op.create_table('webhook_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('type', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('occurred_at', storage.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('event_id')
    )
    op.create_table('crm_pushes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('system', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('fingerprint', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('pushed_at', storage.types.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('account_id', 'system', name='uq_crm_pushes_account_system')
    )
    op.create_table('crm_tasks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('alert_id', sa.Integer(), nullable=False),
    sa.Column('system', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('task_id', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('created_at', storage.types.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('alert_id', 'system', name='uq_crm_tasks_alert_system')
    )
    op.create_table('account_owners',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_at', storage.types.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('account_id', 'person_id', name='uq_account_owners_account_person')
    )
    with op.batch_alter_table('account_owners', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_owners_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_account_owners_person_id'), ['person_id'], unique=False)

    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('arr', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('currency', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=True))
        batch_op.add_column(sa.Column('tier', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=True))
        batch_op.add_column(sa.Column('renewal_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('crm_ids', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=True))
        batch_op.add_column(sa.Column('suppress_outreach', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('suppression_reason', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True))
        batch_op.add_column(sa.Column('suppression_changed_at', storage.types.UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('suppression_changed_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.drop_column('suppression_changed_by')
        batch_op.drop_column('suppression_changed_at')
        batch_op.drop_column('suppression_reason')
        batch_op.drop_column('suppress_outreach')
        batch_op.drop_column('crm_ids')
        batch_op.drop_column('renewal_date')
        batch_op.drop_column('tier')
        batch_op.drop_column('currency')
        batch_op.drop_column('arr')

    with op.batch_alter_table('account_owners', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_owners_person_id'))
        batch_op.drop_index(batch_op.f('ix_account_owners_account_id'))

    op.drop_table('account_owners')
    op.drop_table('crm_tasks')
    op.drop_table('crm_pushes')
    op.drop_table('webhook_events')
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_people_teams_user_id'))
        batch_op.drop_index(batch_op.f('ix_people_slack_user_id'))

    op.drop_table('people')
