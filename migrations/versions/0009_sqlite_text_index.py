"""Substring search by index on SQLite, as 0007 gave PostgreSQL: an FTS5 table with the
trigram tokenizer over agenda item titles, kept in step by triggers (see
eip_site/text_index.py). The site search's scan of 30,000 titles took ~9 ms on the bench
data; through the index ~0.3 ms. PostgreSQL is left as it is.

Revision ID: 0009_sqlite_text_index
Revises: 0008_action_overdue_index
Create Date: 2026-11-25 03:20:00

"""
from alembic import op

from eip_site.text_index import migrate


# revision identifiers, used by Alembic.
revision = '0009_sqlite_text_index'
down_revision = '0008_action_overdue_index'
branch_labels = None
depends_on = None

# The statements of eip_site/text_index.py, which keeps them as they were for this migration.
TABLE, COLUMNS = 'agenda_item', ('title',)


def upgrade():
    migrate(op, TABLE, COLUMNS)


def downgrade():
    migrate(op, TABLE, COLUMNS, up=False)
