"""Data protection: the audit trail (audit_entry), when an account was deactivated and
erased, and the privacy notice's partnership-specific parts. Columns are added in place:
rebuilding user or partnership (a batch on SQLite) would drop their data_version triggers.

Revision ID: 0024_dpo_privacy
Revises: 0023_netfix_decision_version
Create Date: 2026-12-04 02:40:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0024_dpo_privacy'
down_revision = '0023_netfix_decision_version'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'audit_entry',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('address', sa.String(length=45), server_default='', nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('object_type', sa.String(length=40), server_default='', nullable=False),
        sa.Column('object_id', sa.Integer(), nullable=True),
        sa.Column('subject_id', sa.Integer(), nullable=True),
        sa.Column('summary', sa.String(length=500), server_default='', nullable=False),
        sa.ForeignKeyConstraint(['actor_id'], ['user.id'],
                                name=op.f('fk_audit_entry_actor_id_user'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['subject_id'], ['user.id'],
                                name=op.f('fk_audit_entry_subject_id_user'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entry')),
    )
    op.create_index('ix_audit_entry_at_id', 'audit_entry', ['at', 'id'])
    op.create_index(op.f('ix_audit_entry_actor_id'), 'audit_entry', ['actor_id'])
    op.create_index(op.f('ix_audit_entry_kind'), 'audit_entry', ['kind'])
    op.create_index(op.f('ix_audit_entry_subject_id'), 'audit_entry', ['subject_id'])
    op.add_column('user', sa.Column('deactivated_at', sa.DateTime(), nullable=True))
    op.add_column('user', sa.Column('erased_at', sa.DateTime(), nullable=True))
    # Accounts already deactivated start their retention period now.
    op.execute(sa.text('UPDATE "user" SET deactivated_at = CURRENT_TIMESTAMP '
                       'WHERE active = :no').bindparams(no=False))
    for name, kind in (('controller_name', sa.String(length=200)),
                       ('dpo_contact', sa.String(length=300)), ('privacy_text', sa.Text())):
        op.add_column('partnership', sa.Column(name, kind, server_default='', nullable=False))


def downgrade():
    for column in ('privacy_text', 'dpo_contact', 'controller_name'):  # in place
        op.execute(f'ALTER TABLE partnership DROP COLUMN {column}')
    for column in ('erased_at', 'deactivated_at'):
        op.execute(f'ALTER TABLE "user" DROP COLUMN {column}')
    op.drop_table('audit_entry')
