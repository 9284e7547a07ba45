"""Single sign-on: a school's email domains (each belongs to one school), its Entra tenant,
whether a first sign-in makes an account there and whether its staff may still use a
password; and the sign-in methods (provider and subject) linked to each account.

Revision ID: 0025_sso_identities
Revises: 0024_dpo_privacy
Create Date: 2026-12-04 03:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0025_sso_identities'
down_revision = '0024_dpo_privacy'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'school_domain',
        sa.Column('domain', sa.String(length=253), nullable=False),
        sa.Column('school_id', sa.Integer(), nullable=False),
        sa.CheckConstraint('domain = lower(domain)', name=op.f('ck_school_domain_domain_lower')),
        sa.ForeignKeyConstraint(['school_id'], ['school.id'],
                                name=op.f('fk_school_domain_school_id_school'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('domain', name=op.f('pk_school_domain')),
    )
    op.create_index(op.f('ix_school_domain_school_id'), 'school_domain', ['school_id'])
    op.create_table(
        'user_identity',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('provider', sa.String(length=20), nullable=False),
        sa.Column('subject', sa.String(length=255), nullable=False),
        sa.Column('email', sa.String(length=254), server_default='', nullable=False),
        sa.Column('linked_at', sa.DateTime(), nullable=False),
        sa.Column('last_used_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'],
                                name=op.f('fk_user_identity_user_id_user'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_user_identity')),
        sa.UniqueConstraint('provider', 'subject', name=op.f('uq_user_identity_provider_subject')),
    )
    op.create_index(op.f('ix_user_identity_user_id'), 'user_identity', ['user_id'])
    op.add_column('school', sa.Column('entra_tenant_id', sa.String(length=36),
                                      server_default='', nullable=False))
    op.add_column('school', sa.Column('sso_creates_accounts', sa.Boolean(),
                                      server_default=sa.false(), nullable=False))
    op.add_column('school', sa.Column('password_sign_in', sa.Boolean(),
                                      server_default=sa.true(), nullable=False))


def downgrade():
    # Plain ALTER TABLE … DROP COLUMN (SQLite 3.35+): a batch rebuild of school would drop
    # its data_version triggers and trip the foreign keys that point at it.
    for column in ('password_sign_in', 'sso_creates_accounts', 'entra_tenant_id'):
        op.drop_column('school', column)
    op.drop_index(op.f('ix_user_identity_user_id'), table_name='user_identity')
    op.drop_table('user_identity')
    op.drop_index(op.f('ix_school_domain_school_id'), table_name='school_domain')
    op.drop_table('school_domain')
