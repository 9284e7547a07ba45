"""Reviews: terms, closures, reviews, teams, bookings, host days, availability, history, calendar feeds

Revision ID: 0003_reviews
Revises: 0002_directory
Create Date: 2026-11-24 22:13:04.613163

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003_reviews'
down_revision = '0002_directory'
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('term',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.CheckConstraint('end_date >= start_date', name=op.f('ck_term_dates_in_order')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_term'))
    )
    with op.batch_alter_table('term', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_term_start_date'), ['start_date'], unique=False)

    op.create_table('closure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.CheckConstraint("kind IN ('holiday', 'inset', 'closure')", name=op.f('ck_closure_kind')),
    sa.CheckConstraint('end_date >= start_date', name=op.f('ck_closure_dates_in_order')),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_closure_school_id_school'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_closure'))
    )
    with op.batch_alter_table('closure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_closure_school_id'), ['school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_closure_start_date'), ['start_date'], unique=False)

    op.create_table('calendar_feed',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_calendar_feed_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_calendar_feed')),
    sa.UniqueConstraint('token', name=op.f('uq_calendar_feed_token'))
    )
    op.create_table('review',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('host_school_id', sa.Integer(), nullable=False),
    sa.Column('focus', sa.String(length=300), nullable=False),
    sa.Column('focus_area', sa.String(length=40), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('days', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('champion_id', sa.Integer(), nullable=True),
    sa.Column('notes', sa.Text(), server_default='', nullable=False),
    sa.Column('closed_day_reason', sa.String(length=300), server_default='', nullable=False),
    sa.Column('went_well', sa.Text(), server_default='', nullable=False),
    sa.Column('to_develop', sa.Text(), server_default='', nullable=False),
    sa.Column('summary', sa.Text(), server_default='', nullable=False),
    sa.Column('safeguarding', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('workshop_date', sa.Date(), nullable=True),
    sa.Column('facilitator_id', sa.Integer(), nullable=True),
    sa.Column('impact_date', sa.Date(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('sequence', sa.Integer(), server_default='0', nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint("state IN ('planned', 'proposed', 'confirmed', 'data_shared', 'reviewed', 'feedback', 'workshop_booked', 'workshop_done', 'impact', 'closed', 'cancelled')", name=op.f('ck_review_state')),
    sa.CheckConstraint('days BETWEEN 1 AND 3', name=op.f('ck_review_days')),
    sa.ForeignKeyConstraint(['champion_id'], ['user.id'], name=op.f('fk_review_champion_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_review_created_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['facilitator_id'], ['user.id'], name=op.f('fk_review_facilitator_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['host_school_id'], ['school.id'], name=op.f('fk_review_host_school_id_school'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review'))
    )
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_host_school_id'), ['host_school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_start_date'), ['start_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_state'), ['state'], unique=False)

    op.create_table('unavailable',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_unavailable_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'day', name=op.f('pk_unavailable'))
    )
    op.create_table('booking',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.CheckConstraint("kind IN ('review', 'workshop')", name=op.f('ck_booking_kind')),
    sa.ForeignKeyConstraint(['review_id'], ['review.id'], name=op.f('fk_booking_review_id_review'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_booking_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_booking')),
    sa.UniqueConstraint('user_id', 'day', name=op.f('uq_booking_user_id_day'))
    )
    with op.batch_alter_table('booking', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_booking_day'), ['day'], unique=False)
        batch_op.create_index(batch_op.f('ix_booking_review_id'), ['review_id'], unique=False)

    op.create_table('host_day',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['review_id'], ['review.id'], name=op.f('fk_host_day_review_id_review'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_host_day_school_id_school'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_host_day')),
    sa.UniqueConstraint('school_id', 'day', name=op.f('uq_host_day_school_id_day'))
    )
    with op.batch_alter_table('host_day', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_host_day_review_id'), ['review_id'], unique=False)

    op.create_table('review_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('from_state', sa.String(length=20), nullable=False),
    sa.Column('to_state', sa.String(length=20), nullable=False),
    sa.Column('note', sa.Text(), server_default='', nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user.id'], name=op.f('fk_review_event_actor_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['review_id'], ['review.id'], name=op.f('fk_review_event_review_id_review'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_event'))
    )
    with op.batch_alter_table('review_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_event_review_id'), ['review_id'], unique=False)

    op.create_table('review_member',
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=10), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.CheckConstraint("role IN ('lead', 'reviewer')", name=op.f('ck_review_member_role')),
    sa.ForeignKeyConstraint(['review_id'], ['review.id'], name=op.f('fk_review_member_review_id_review'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_review_member_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('review_id', 'user_id', name=op.f('pk_review_member'))
    )
    with op.batch_alter_table('review_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_member_user_id'), ['user_id'], unique=False)




def downgrade():

    with op.batch_alter_table('review_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_member_user_id'))

    op.drop_table('review_member')
    with op.batch_alter_table('review_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_event_review_id'))

    op.drop_table('review_event')
    with op.batch_alter_table('host_day', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_host_day_review_id'))

    op.drop_table('host_day')
    with op.batch_alter_table('booking', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_booking_review_id'))
        batch_op.drop_index(batch_op.f('ix_booking_day'))

    op.drop_table('booking')
    op.drop_table('unavailable')
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_state'))
        batch_op.drop_index(batch_op.f('ix_review_start_date'))
        batch_op.drop_index(batch_op.f('ix_review_host_school_id'))

    op.drop_table('review')
    op.drop_table('calendar_feed')
    with op.batch_alter_table('closure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_closure_start_date'))
        batch_op.drop_index(batch_op.f('ix_closure_school_id'))

    op.drop_table('closure')
    with op.batch_alter_table('term', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_term_start_date'))

    op.drop_table('term')

