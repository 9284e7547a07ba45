"""Create forms are saved once per drawing (form_submission): each carries a one-time token,
claimed by its first submission with where it was sent; a second submission of the same
token (a double click, a re-sent POST) is sent there too and creates nothing.

Revision ID: 0018_form_submission
Revises: 0017_rate_limit
Create Date: 2026-12-04 01:15:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0018_form_submission'
down_revision = '0017_rate_limit'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'form_submission',
        sa.Column('token', sa.String(length=43), nullable=False),
        sa.Column('location', sa.String(length=2000), nullable=True),
        sa.Column('message', sa.String(length=500), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('token', name=op.f('pk_form_submission')),
    )
    with op.batch_alter_table('form_submission') as batch_op:
        batch_op.create_index(batch_op.f('ix_form_submission_created_at'), ['created_at'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('form_submission') as batch_op:
        batch_op.drop_index(batch_op.f('ix_form_submission_created_at'))
    op.drop_table('form_submission')
