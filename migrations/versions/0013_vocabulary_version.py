"""The directory's search vocabulary under a stamp of its own ("vocabulary",
eip_site/data_version.py): triggers on the skills and skill areas renew it. Each search used to
read every approved skill and area joined into one row to see whether they had changed.

Revision ID: 0013_vocabulary_version
Revises: 0012_data_version
Create Date: 2026-12-03 19:30:00

"""
from alembic import op

from eip_site.data_version import ddl, drop_ddl


# revision identifiers, used by Alembic.
revision = '0013_vocabulary_version'
down_revision = '0012_data_version'
branch_labels = None
depends_on = None

# What this revision watches, as eip_site/data_version.py has it: a later change to WATCHED
# comes with a migration of its own (tests/test_migrations.py compares the triggers).
WATCHED = {
    'vocabulary': {
        'skill': ('name', 'category_id', 'synonyms', 'status'),
        'skill_category': ('slug', 'name', 'position'),
    },
}


def upgrade():
    for statement in ddl(op.get_bind().dialect.name, WATCHED):
        op.execute(statement)


def downgrade():
    for statement in drop_ddl(op.get_bind().dialect.name, WATCHED, function=False):
        op.execute(statement)
