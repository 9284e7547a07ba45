"""Substring search by index on SQLite, as 0007 gave PostgreSQL: an FTS5 table with the
trigram tokenizer over agenda item titles, kept in step by triggers (see
eip_site/text_index.py). The site search's scan of 30,000 titles took ~9 ms on the bench
data; through the index ~0.3 ms. PostgreSQL is left as it is.

Revision ID: 0009_sqlite_text_index
Revises: 0008_action_overdue_index
Create Date: 2026-11-25 03:20:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0009_sqlite_text_index'
down_revision = '0008_action_overdue_index'
branch_labels = None
depends_on = None

# Written out here, not imported: a migration keeps the schema of its day.
TABLE, NAME, COLUMN = 'agenda_item', 'agenda_item_text', 'title'


def upgrade():
    if op.get_bind().dialect.name != 'sqlite':
        return
    forget = (f"INSERT INTO {NAME}({NAME}, rowid, {COLUMN}) "
              f"VALUES ('delete', old.id, old.{COLUMN});")
    learn = f"INSERT INTO {NAME}(rowid, {COLUMN}) VALUES (new.id, new.{COLUMN});"
    op.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS {NAME} USING fts5({COLUMN}, "
               f"content='{TABLE}', content_rowid='id', tokenize='trigram')")
    op.execute(f"CREATE TRIGGER IF NOT EXISTS {NAME}_ai AFTER INSERT ON {TABLE} BEGIN {learn} END")
    op.execute(f"CREATE TRIGGER IF NOT EXISTS {NAME}_ad AFTER DELETE ON {TABLE} BEGIN {forget} END")
    op.execute(f"CREATE TRIGGER IF NOT EXISTS {NAME}_au AFTER UPDATE OF {COLUMN} ON {TABLE} "
               f"BEGIN {forget} {learn} END")
    op.execute(f"INSERT INTO {NAME}({NAME}) VALUES ('rebuild')")


def downgrade():
    if op.get_bind().dialect.name != 'sqlite':
        return
    for trigger in ('ai', 'ad', 'au'):
        op.execute(f"DROP TRIGGER IF EXISTS {NAME}_{trigger}")
    op.execute(f"DROP TABLE IF EXISTS {NAME}")
