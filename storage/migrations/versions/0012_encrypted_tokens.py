"""encrypted tokens

Workspace tokens are stored encrypted (Fernet, `fernet:` + base64: about 2.3 times as long as the
token), which does not fit the 200 characters slack_sdk's schema gives them: the token columns of
`slack_bots` and `slack_installations` widen to 2000.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 04:50:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = {
    "slack_bots": ("bot_token", "bot_refresh_token"),
    "slack_installations": ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token"),
}


def _resize(old: int, new: int) -> None:
    for table, columns in COLUMNS.items():
        with op.batch_alter_table(table) as batch:
            for column in columns:
                batch.alter_column(column, existing_type=sa.String(old), type_=sa.String(new))


def upgrade() -> None:
    _resize(200, 2000)


def downgrade() -> None:
    # Encrypted tokens are longer than 200 characters: with installations stored encrypted, PostgreSQL
    # refuses to narrow the columns (delete those installations first); SQLite keeps them as they are.
    _resize(2000, 200)
