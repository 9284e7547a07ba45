"""A review's days are rows (school days: a Thursday three-day review is Thu, Fri and Mon),
with its last day beside the first, and the other dates a host head offered when declining.
Existing reviews keep the days they were booked on (their first day and the calendar days
after it), which are the days their teams were booked and emailed.

Revision ID: 0021_revdates_review_days
Revises: 0020_revpeople_reviewers
Create Date: 2026-12-04 01:00:00

"""
from datetime import timedelta

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0021_revdates_review_days'
down_revision = '0020_revpeople_reviewers'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'review_day',
        sa.Column('review_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(['review_id'], ['review.id'],
                                name=op.f('fk_review_day_review_id_review'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('review_id', 'day', name=op.f('pk_review_day')),
    )
    op.create_index(op.f('ix_review_day_day'), 'review_day', ['day'])
    # Columns added in place: rebuilding the review table (a batch on SQLite) would drop its
    # data_version triggers. The last day's default is only for the moment it takes to fill.
    op.add_column('review', sa.Column('end_date', sa.Date(), server_default='2000-01-01',
                                      nullable=False))
    op.add_column('review', sa.Column('offered_dates', sa.String(length=40), server_default='',
                                      nullable=False))
    review = sa.table('review', sa.column('id', sa.Integer), sa.column('start_date', sa.Date),
                      sa.column('days', sa.Integer), sa.column('end_date', sa.Date))
    day = sa.table('review_day', sa.column('review_id', sa.Integer), sa.column('day', sa.Date))
    conn = op.get_bind()
    rows = conn.execute(sa.select(review.c.id, review.c.start_date, review.c.days)).all()
    for review_id, start, days in rows:
        conn.execute(review.update().where(review.c.id == review_id)
                     .values(end_date=start + timedelta(days=days - 1)))
    if rows:
        conn.execute(day.insert(), [{"review_id": review_id, "day": start + timedelta(days=i)}
                                    for review_id, start, days in rows for i in range(days)])
    if conn.dialect.name == "postgresql":  # SQLite cannot drop a default in place
        op.alter_column('review', 'end_date', server_default=None)


def downgrade():
    for column in ('offered_dates', 'end_date'):  # in place, for the triggers' sake
        op.execute(f'ALTER TABLE review DROP COLUMN {column}')
    op.drop_index(op.f('ix_review_day_day'), table_name='review_day')
    op.drop_table('review_day')
