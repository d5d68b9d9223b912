"""tenants

Every account, place, message, alert and digest target belongs to a tenant: a Slack workspace
(`slack:<team id>`) or Enterprise Grid organization installed org-wide (`slack:<enterprise id>`), a Teams
tenant (`teams:<tenant id>`), or `default` (an install serving one organization, /ingest, inboxes, import).
Account names are unique per tenant, places per (tenant, platform, id), messages per (tenant, platform,
place, id).

Existing rows: a place takes the tenant its channel was seen in (`slack_channel_teams` with the
workspace's installation; `teams_conversations` when more than one Teams tenant was seen), else
`default`; an account the tenant most of its places
have, and its places and messages follow it; a message without an account takes its place's; an alert its
account's or message's; a digest target its channel's or conversation's.

Downgrade: names and ids that two tenants share get the tenant appended (" [slack:T2]"), so the global
uniqueness of the earlier schema holds again without losing a row.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 07:00:00
"""
from collections import Counter
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate renders sqlmodel.sql.sqltypes.AutoString)
from alembic import op

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DEFAULT = 'default'
TABLES = ('accounts', 'places', 'messages', 'alerts', 'digest_targets')


def _tenant_column() -> sa.Column:
    return sa.Column(
        'tenant', sqlmodel.sql.sqltypes.AutoString(length=200), server_default=DEFAULT, nullable=False
    )


def _place_tenants(connection: sa.Connection) -> dict[tuple[str, str], str]:
    """(platform, external id) -> the tenant the place was seen in, where that is known."""
    org_wide = {
        row.enterprise_id
        for row in connection.execute(
            sa.text(
                'SELECT DISTINCT enterprise_id FROM slack_bots '
                'WHERE is_enterprise_install AND enterprise_id IS NOT NULL'
            )
        )
    }
    known: dict[tuple[str, str], str] = {}
    channels = connection.execute(
        sa.text('SELECT channel_id, team_id, enterprise_id FROM slack_channel_teams')
    )
    for row in channels:
        owner = row.enterprise_id if row.enterprise_id in org_wide else row.team_id
        known[('slack', row.channel_id)] = f'slack:{owner}'
    conversations = connection.execute(
        sa.text('SELECT conversation_id, tenant_id FROM teams_conversations WHERE tenant_id IS NOT NULL')
    ).all()
    # One Teams tenant seen: a single-tenant install, whose rows are the default tenant's (as new ones are).
    if len({row.tenant_id for row in conversations}) > 1:
        for row in conversations:
            known[('teams', row.conversation_id)] = f'teams:{row.tenant_id.lower()}'
    return known


def _assign(connection: sa.Connection, table: str, by_tenant: dict[str, list[int]]) -> None:
    for tenant, ids in by_tenant.items():
        for start in range(0, len(ids), 500):
            connection.execute(
                sa.text(f'UPDATE {table} SET tenant = :tenant WHERE id IN :ids').bindparams(
                    sa.bindparam('ids', expanding=True)
                ),
                {'tenant': tenant, 'ids': ids[start : start + 500]},
            )


def _assign_existing_rows() -> None:
    connection = op.get_bind()
    known = _place_tenants(connection)
    places = connection.execute(sa.text('SELECT id, platform, external_id, account_id FROM places')).all()
    votes: dict[int, Counter] = {}
    for place in places:
        if place.account_id is not None:
            tenant = known.get((place.platform, place.external_id), DEFAULT)
            votes.setdefault(place.account_id, Counter())[tenant] += 1
    accounts: dict[str, list[int]] = {}
    account_tenant: dict[int, str] = {}
    for account_id, counted in votes.items():
        # The tenant most of its places are in (ties: the first by name, so a rerun decides the same).
        tenant = sorted(counted.items(), key=lambda item: (-item[1], item[0]))[0][0]
        account_tenant[account_id] = tenant
        if tenant != DEFAULT:
            accounts.setdefault(tenant, []).append(account_id)
    _assign(connection, 'accounts', accounts)
    by_place: dict[str, list[int]] = {}
    for place in places:
        if place.account_id is not None:
            tenant = account_tenant[place.account_id]
        else:
            tenant = known.get((place.platform, place.external_id), DEFAULT)
        if tenant != DEFAULT:
            by_place.setdefault(tenant, []).append(place.id)
    _assign(connection, 'places', by_place)
    connection.execute(sa.text(
        'UPDATE messages SET tenant = (SELECT a.tenant FROM accounts a WHERE a.id = messages.account_id) '
        'WHERE account_id IS NOT NULL'
    ))
    connection.execute(sa.text(
        'UPDATE messages SET tenant = (SELECT p.tenant FROM places p WHERE p.platform = messages.platform '
        'AND p.external_id = messages.place_key) WHERE account_id IS NULL AND EXISTS (SELECT 1 FROM places p '
        'WHERE p.platform = messages.platform AND p.external_id = messages.place_key)'
    ))
    connection.execute(sa.text(
        'UPDATE alerts SET tenant = (SELECT a.tenant FROM accounts a WHERE a.id = alerts.account_id) '
        'WHERE account_id IS NOT NULL'
    ))
    connection.execute(sa.text(
        'UPDATE alerts SET tenant = (SELECT m.tenant FROM messages m WHERE m.id = alerts.message_id) '
        'WHERE account_id IS NULL AND message_id IS NOT NULL'
    ))
    targets: dict[str, list[int]] = {}
    for target in connection.execute(sa.text('SELECT id, platform, destination FROM digest_targets')):
        tenant = known.get((target.platform, target.destination))
        if tenant is not None:
            targets.setdefault(tenant, []).append(target.id)
    _assign(connection, 'digest_targets', targets)


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(_tenant_column())
    _assign_existing_rows()
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.drop_index('ix_accounts_name_key')
        batch_op.create_unique_constraint('uq_accounts_tenant_name', ['tenant', 'name_key'])
    with op.batch_alter_table('places', schema=None) as batch_op:
        batch_op.drop_constraint('uq_places_platform_external', type_='unique')
        batch_op.create_unique_constraint(
            'uq_places_tenant_platform_external', ['tenant', 'platform', 'external_id']
        )
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_constraint('uq_messages_platform_place_external', type_='unique')
        batch_op.create_unique_constraint(
            'uq_messages_tenant_platform_place_external', ['tenant', 'platform', 'place_key', 'external_id']
        )
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.create_index('ix_alerts_tenant_status', ['tenant', 'status'], unique=False)
    with op.batch_alter_table('digest_targets', schema=None) as batch_op:
        batch_op.create_index('ix_digest_targets_tenant', ['tenant'], unique=False)


def _separate(connection: sa.Connection, table: str, key: tuple[str, ...], column: str, width: int) -> None:
    """Rows sharing `key` across tenants: every one after the first gets its tenant appended to `column`."""
    seen: set[tuple] = set()
    names = ', '.join(key)
    for row in connection.execute(sa.text(f'SELECT id, tenant, {names} FROM {table} ORDER BY id')).all():
        value = tuple(getattr(row, name) for name in key)
        if value not in seen:
            seen.add(value)
            continue
        current = getattr(row, column)
        suffix = f' [{row.tenant}]'
        renamed = current[: width - len(suffix)] + suffix
        connection.execute(
            sa.text(f'UPDATE {table} SET {column} = :value WHERE id = :id'), {'value': renamed, 'id': row.id}
        )
        seen.add(tuple(renamed if name == column else getattr(row, name) for name in key))


def downgrade() -> None:
    connection = op.get_bind()
    _separate(connection, 'accounts', ('name_key',), 'name_key', 200)
    _separate(connection, 'places', ('platform', 'external_id'), 'external_id', 300)
    _separate(connection, 'messages', ('platform', 'place_key', 'external_id'), 'external_id', 300)
    with op.batch_alter_table('digest_targets', schema=None) as batch_op:
        batch_op.drop_index('ix_digest_targets_tenant')
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.drop_index('ix_alerts_tenant_status')
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_constraint('uq_messages_tenant_platform_place_external', type_='unique')
        batch_op.create_unique_constraint(
            'uq_messages_platform_place_external', ['platform', 'place_key', 'external_id']
        )
    with op.batch_alter_table('places', schema=None) as batch_op:
        batch_op.drop_constraint('uq_places_tenant_platform_external', type_='unique')
        batch_op.create_unique_constraint('uq_places_platform_external', ['platform', 'external_id'])
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.drop_constraint('uq_accounts_tenant_name', type_='unique')
        batch_op.create_index('ix_accounts_name_key', ['name_key'], unique=True)
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('tenant')
