"""A kind of email for the people who suggest skills: added, merged or turned down.

Revision ID: 0014_skills_kind
Revises: 0013_vocabulary_version
Create Date: 2026-12-03 23:40:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0014_skills_kind'
down_revision = '0013_vocabulary_version'
branch_labels = None
depends_on = None

BEFORE = ('review', 'help', 'agenda', 'action', 'reminder')
AFTER = ('review', 'help', 'agenda', 'action', 'skills', 'reminder')


def _kinds(kinds):
    with op.batch_alter_table('notification_preference') as batch:
        batch.drop_constraint(op.f('ck_notification_preference_kind'), type_='check')
        batch.create_check_constraint(
            op.f('ck_notification_preference_kind'), "kind IN (" + ", ".join(f"'{k}'" for k in kinds) + ")")


def upgrade():
    _kinds(AFTER)


def downgrade():
    op.execute("DELETE FROM notification_preference WHERE kind = 'skills'")
    _kinds(BEFORE)
