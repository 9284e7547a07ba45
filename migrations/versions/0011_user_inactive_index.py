"""A partial index of the people no longer active: a directory search counts the holders of
the matched skills from the skill index less these few, instead of reading every holder's
row to check it (~1 ms of SQLite's time for "phonics" on the bench data). Partial, so no
query about active people is ever planned on it.

Revision ID: 0011_user_inactive_index
Revises: 0010_user_text_index
Create Date: 2026-11-25 03:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_user_inactive_index'
down_revision = '0010_user_text_index'
branch_labels = None
depends_on = None


def upgrade():
    # Not in batch mode: on SQLite that may rebuild "user", losing user_text's triggers (0010).
    op.create_index('ix_user_inactive', 'user', ['id'], unique=False,
                    sqlite_where=sa.text('active IS 0'),
                    postgresql_where=sa.text('active IS false'))


def downgrade():
    op.drop_index('ix_user_inactive', table_name='user')
