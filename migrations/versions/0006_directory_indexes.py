"""Directory indexes for a local-authority-sized partnership: people by name, and covering
indexes on user_skill for scoring a skill's holders and for "does this person train in
anything?" (the old (skill_id, relation) index is a prefix of the new one, so it goes).

Revision ID: 0006_directory_indexes
Revises: 0005_notifications
Create Date: 2026-11-24 22:30:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0006_directory_indexes'
down_revision = '0005_notifications'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.create_index('ix_user_name_id', ['name', 'id'], unique=False)

    with op.batch_alter_table('user_skill', schema=None) as batch_op:
        batch_op.create_index('ix_user_skill_skill_relation_user',
                              ['skill_id', 'relation', 'user_id'], unique=False)
        batch_op.create_index('ix_user_skill_user_relation', ['user_id', 'relation'],
                              unique=False)
        batch_op.drop_index('ix_user_skill_skill_relation')


def downgrade():
    with op.batch_alter_table('user_skill', schema=None) as batch_op:
        batch_op.create_index('ix_user_skill_skill_relation', ['skill_id', 'relation'],
                              unique=False)
        batch_op.drop_index('ix_user_skill_user_relation')
        batch_op.drop_index('ix_user_skill_skill_relation_user')

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_index('ix_user_name_id')
