"""Substring search by index on SQLite for people's names and job titles, as 0009 gave
agenda item titles (see eip_site/text_index.py): the directory's search for words read all
10,000 people with LIKE '%words%' (~5 ms on the bench data); it now takes the candidates
from the index and checks them with the same LIKE. PostgreSQL is left as it is (0007).

Revision ID: 0010_user_text_index
Revises: 0009_sqlite_text_index
Create Date: 2026-11-25 03:30:00

"""
from alembic import op

from eip_site.text_index import migrate


# revision identifiers, used by Alembic.
revision = '0010_user_text_index'
down_revision = '0009_sqlite_text_index'
branch_labels = None
depends_on = None

# The statements of eip_site/text_index.py, which keeps them as they were for this migration.
TABLE, COLUMNS = 'user', ('name', 'job_title')


def upgrade():
    migrate(op, TABLE, COLUMNS)


def downgrade():
    migrate(op, TABLE, COLUMNS, up=False)
