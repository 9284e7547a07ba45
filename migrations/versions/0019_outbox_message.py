"""The mail outbox: every email is a row written with the change that causes it, and the
worker sends it (issue 14).

Revision ID: 0019_outbox_message
Revises: 0018_form_submission
Create Date: 2026-12-04 01:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0019_outbox_message'
down_revision = '0018_form_submission'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'outbox_message',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('message_id', sa.String(length=200), nullable=False),
        sa.Column('to', sa.String(length=320), nullable=False),
        sa.Column('subject', sa.String(length=998), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=True),
        sa.Column('content', sa.LargeBinary(), nullable=False),
        sa.Column('state', sa.String(length=10), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
        sa.Column('sent_at', sa.DateTime(), nullable=True),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.CheckConstraint("state IN ('waiting', 'sent', 'failed')",
                           name=op.f('ck_outbox_message_state')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_message')),
        sa.UniqueConstraint('message_id', name=op.f('uq_outbox_message_message_id')),
    )
    op.create_index(op.f('ix_outbox_message_next_attempt_at'), 'outbox_message',
                    ['next_attempt_at'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_outbox_message_next_attempt_at'), table_name='outbox_message')
    op.drop_table('outbox_message')
