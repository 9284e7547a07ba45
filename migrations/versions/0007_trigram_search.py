"""Substring search by index on PostgreSQL: trigram (pg_trgm) indexes on the lower-cased
text that the directory and the site search match with LIKE '%words%' (people's names and
job titles, agenda item titles). Without them each search read every row: ~14 ms for
10,000 people and ~25 ms for 30,000 agenda items on the bench data.

SQLite has no such index and is left as it is. Where the pg_trgm extension is not
installed (it ships with PostgreSQL's contrib), searches still work, reading every row.

Revision ID: 0007_trigram_search
Revises: 0006_directory_indexes
Create Date: 2026-11-25 01:30:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0007_trigram_search'
down_revision = '0006_directory_indexes'
branch_labels = None
depends_on = None

# Kept out of the models (they are PostgreSQL's alone): eip_site.search_indexes names them
# so that comparing models and migrations leaves them be.
INDEXES = {
    'ix_user_name_trgm': ('"user"', 'name'),
    'ix_user_job_title_trgm': ('"user"', 'job_title'),
    'ix_agenda_item_title_trgm': ('agenda_item', 'title'),
}


def _available(bind) -> bool:
    return bind.exec_driver_sql(
        "SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'").first() is not None


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name != 'postgresql' or not _available(bind):
        return
    op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
    for name, (table, column) in INDEXES.items():
        op.execute(f'CREATE INDEX IF NOT EXISTS {name} ON {table} '
                   f'USING gin (lower({column}) gin_trgm_ops)')


def downgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    for name in INDEXES:
        op.execute(f'DROP INDEX IF EXISTS {name}')
