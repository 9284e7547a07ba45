"""A review's history lines about its findings are marked, so that only those who may see the
findings read them ("Findings recorded with a safeguarding concern" is itself confidential).
Existing lines are marked by their words, as the app wrote them.

Revision ID: 0016_review_event_findings
Revises: 0015_user_session
Create Date: 2026-12-03 23:45:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0016_review_event_findings'
down_revision = '0015_user_session'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('review_event') as batch:
        batch.add_column(sa.Column('findings', sa.Boolean(), server_default='0',
                                   nullable=False))
    event = sa.table('review_event', sa.column('note', sa.Text),
                     sa.column('findings', sa.Boolean))
    op.execute(event.update().where(event.c.note.like('Findings recorded%'))
               .values(findings=True))


def downgrade():
    with op.batch_alter_table('review_event') as batch:
        batch.drop_column('findings')
