"""A recorded decision carries a version, so two people correcting it at once do not
overwrite each other (as actions, items and the rest already do).

Revision ID: 0023_netfix_decision_version
Revises: 0022_papers_files
Create Date: 2026-12-04 02:45:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0023_netfix_decision_version'
down_revision = '0022_papers_files'
branch_labels = None
depends_on = None


def upgrade():
    # In place: rebuilding the table (a batch on SQLite) is not needed for a new column.
    op.add_column('decision', sa.Column('version', sa.Integer(), server_default='1',
                                        nullable=False))


def downgrade():
    with op.batch_alter_table('decision') as batch:
        batch.drop_column('version')
