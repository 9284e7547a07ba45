"""Substring search by index on SQLite for people's names and job titles, as 0009 gave
agenda item titles (see eip_site/text_index.py): the directory's search for words read all
10,000 people with LIKE '%words%' (~5 ms on the bench data); it now takes the candidates
from the index and checks them with the same LIKE. PostgreSQL is left as it is (0007).

Revision ID: 0010_user_text_index
Revises: 0009_sqlite_text_index
Create Date: 2026-11-25 03:30:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0010_user_text_index'
down_revision = '0009_sqlite_text_index'
branch_labels = None
depends_on = None

# Written out here, not imported: a migration keeps the schema of its day.
TABLE, NAME = 'user', 'user_text'


def upgrade():
    if op.get_bind().dialect.name != 'sqlite':
        return
    forget = (f"INSERT INTO {NAME}({NAME}, rowid, name, job_title) "
              "VALUES ('delete', old.id, old.name, old.job_title);")
    learn = (f"INSERT INTO {NAME}(rowid, name, job_title) "
             "VALUES (new.id, new.name, new.job_title);")
    op.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS {NAME} USING fts5(name, job_title, "
               f"content='{TABLE}', content_rowid='id', tokenize='trigram')")
    op.execute(f'CREATE TRIGGER IF NOT EXISTS {NAME}_ai AFTER INSERT ON "{TABLE}" '
               f'BEGIN {learn} END')
    op.execute(f'CREATE TRIGGER IF NOT EXISTS {NAME}_ad AFTER DELETE ON "{TABLE}" '
               f'BEGIN {forget} END')
    op.execute(f'CREATE TRIGGER IF NOT EXISTS {NAME}_au AFTER UPDATE OF name, job_title '
               f'ON "{TABLE}" BEGIN {forget} {learn} END')
    op.execute(f"INSERT INTO {NAME}({NAME}) VALUES ('rebuild')")


def downgrade():
    if op.get_bind().dialect.name != 'sqlite':
        return
    for trigger in ('ai', 'ad', 'au'):
        op.execute(f"DROP TRIGGER IF EXISTS {NAME}_{trigger}")
    op.execute(f"DROP TABLE IF EXISTS {NAME}")
