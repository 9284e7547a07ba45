"""Trained peer reviewers and improvement champions count once a head of their school or a
lead confirms the qualification (those already recorded count as confirmed, so nothing that
works today stops working); the partnership may cap the reviews a person joins in a year;
the team picker's stamp also watches the teams and the reviews' dates and states, as it now
counts each candidate's reviews of the year.

Revision ID: 0020_revpeople_reviewers
Revises: 0019_outbox_message
Create Date: 2026-12-04 01:00:00

"""
import sqlalchemy as sa
from alembic import op

from eip_site.clock import utcnow
from eip_site.data_version import ddl, drop_ddl

# revision identifiers, used by Alembic.
revision = '0020_revpeople_reviewers'
down_revision = '0019_outbox_message'
branch_labels = None
depends_on = None

# What this revision watches, as eip_site/data_version.py has it (see 0013).
BEFORE = {'reviewers': {'review': ('host_school_id',)}}
WATCHED = {'reviewers': {'review': ('host_school_id', 'start_date', 'state'),
                         'review_member': None}}
# SQLite rebuilds the qualification table for its new foreign key, which drops its trigger.
REBUILT = {'reviewers': {'qualification': None}}


def upgrade():
    with op.batch_alter_table('qualification') as batch:
        batch.add_column(sa.Column('confirmed_at', sa.DateTime(), nullable=True))
        batch.add_column(sa.Column('confirmed_by_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f('fk_qualification_confirmed_by_id_user'), 'user',
                                 ['confirmed_by_id'], ['id'], ondelete='SET NULL')
    qualification = sa.table('qualification', sa.column('confirmed_at', sa.DateTime))
    op.execute(qualification.update().values(confirmed_at=utcnow()))
    with op.batch_alter_table('partnership') as batch:
        batch.add_column(sa.Column('max_reviews_per_year', sa.Integer(), nullable=True))
    dialect = op.get_bind().dialect.name
    for statement in (drop_ddl(dialect, BEFORE, function=False) + ddl(dialect, WATCHED)
                      + ddl(dialect, REBUILT)):
        op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    for statement in drop_ddl(dialect, WATCHED, function=False) + ddl(dialect, BEFORE):
        op.execute(statement)
    with op.batch_alter_table('partnership') as batch:
        batch.drop_column('max_reviews_per_year')
    with op.batch_alter_table('qualification') as batch:
        batch.drop_constraint(op.f('fk_qualification_confirmed_by_id_user'), type_='foreignkey')
        batch.drop_column('confirmed_by_id')
        batch.drop_column('confirmed_at')
    for statement in ddl(dialect, REBUILT):
        op.execute(statement)
