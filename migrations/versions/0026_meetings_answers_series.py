"""Meetings people come prepared to: members' answers before a meeting (coming, or apologies
with a note), meeting series (each half term, or every few weeks) and their meetings, a
meeting cancelled on its own, and when the draft minutes were last sent to the members.

Revision ID: 0026_meetings_answers_series
Revises: 0025_sso_identities
Create Date: 2026-12-04 03:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0026_meetings_answers_series'
down_revision = '0025_sso_identities'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'meeting_series',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('network_id', sa.Integer(), nullable=False),
        sa.Column('pattern', sa.String(length=10), nullable=False),
        sa.Column('weekday', sa.Integer(), nullable=False),
        sa.Column('week', sa.Integer(), server_default='3', nullable=False),
        sa.Column('every', sa.Integer(), server_default='2', nullable=False),
        sa.Column('first_day', sa.Date(), nullable=False),
        sa.Column('last_day', sa.Date(), nullable=False),
        sa.Column('starts', sa.Time(), nullable=False),
        sa.Column('ends', sa.Time(), nullable=False),
        sa.Column('school_id', sa.Integer(), nullable=True),
        sa.Column('place', sa.String(length=200), server_default='', nullable=False),
        sa.Column('online_link', sa.String(length=300), server_default='', nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint("pattern IN ('half_term', 'weeks')",
                           name=op.f('ck_meeting_series_pattern')),
        sa.CheckConstraint('weekday BETWEEN 0 AND 4', name=op.f('ck_meeting_series_weekday')),
        sa.CheckConstraint('week BETWEEN 1 AND 7', name=op.f('ck_meeting_series_week')),
        sa.CheckConstraint('every BETWEEN 1 AND 12', name=op.f('ck_meeting_series_every')),
        sa.CheckConstraint('last_day >= first_day',
                           name=op.f('ck_meeting_series_days_in_order')),
        sa.ForeignKeyConstraint(['network_id'], ['network.id'],
                                name=op.f('fk_meeting_series_network_id_network'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['school_id'], ['school.id'],
                                name=op.f('fk_meeting_series_school_id_school'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_series')),
    )
    op.create_index(op.f('ix_meeting_series_network_id'), 'meeting_series', ['network_id'])
    op.create_table(
        'meeting_answer',
        sa.Column('meeting_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('answer', sa.String(length=10), nullable=False),
        sa.Column('note', sa.String(length=300), server_default='', nullable=False),
        sa.Column('answered_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint("answer IN ('coming', 'apologies')",
                           name=op.f('ck_meeting_answer_answer')),
        sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'],
                                name=op.f('fk_meeting_answer_meeting_id_meeting'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'],
                                name=op.f('fk_meeting_answer_user_id_user'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('meeting_id', 'user_id', name=op.f('pk_meeting_answer')),
    )
    op.create_index(op.f('ix_meeting_answer_user_id'), 'meeting_answer', ['user_id'])
    op.create_table(
        'series_meeting',
        sa.Column('meeting_id', sa.Integer(), nullable=False),
        sa.Column('series_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'],
                                name=op.f('fk_series_meeting_meeting_id_meeting'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['series_id'], ['meeting_series.id'],
                                name=op.f('fk_series_meeting_series_id_meeting_series'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('meeting_id', name=op.f('pk_series_meeting')),
    )
    op.create_index(op.f('ix_series_meeting_series_id'), 'series_meeting', ['series_id'])
    # Plain columns, added in place: rebuilding the meeting table (a batch on SQLite) would
    # drop its data_version triggers.
    op.add_column('meeting', sa.Column('cancelled_at', sa.DateTime(), nullable=True))
    op.add_column('meeting', sa.Column('draft_minutes_sent_at', sa.DateTime(), nullable=True))


def downgrade():
    for column in ('draft_minutes_sent_at', 'cancelled_at'):
        if op.get_bind().dialect.name == 'sqlite':  # in place (3.35+): the triggers stay
            op.execute(f'ALTER TABLE meeting DROP COLUMN {column}')
        else:
            op.drop_column('meeting', column)
    op.drop_index(op.f('ix_series_meeting_series_id'), table_name='series_meeting')
    op.drop_table('series_meeting')
    op.drop_index(op.f('ix_meeting_answer_user_id'), table_name='meeting_answer')
    op.drop_table('meeting_answer')
    op.drop_index(op.f('ix_meeting_series_network_id'), table_name='meeting_series')
    op.drop_table('meeting_series')
