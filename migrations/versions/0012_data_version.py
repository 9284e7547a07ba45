"""Stamps of the data behind remembered answers (eip_site/data_version.py): the table and the
triggers that renew a stamp whenever a watched table changes. The directory remembers its
searches under the "people" stamp: a repeated search cost ~5 ms of reading and ranking on
the bench data.

Revision ID: 0012_data_version
Revises: 0011_user_inactive_index
Create Date: 2026-11-25 05:30:00

"""
from alembic import op
import sqlalchemy as sa

from eip_site.data_version import ddl, drop_ddl


# revision identifiers, used by Alembic.
revision = '0012_data_version'
down_revision = '0011_user_inactive_index'
branch_labels = None
depends_on = None

# What this revision watches, as eip_site/data_version.py had it: a later change to WATCHED
# comes with a migration of its own.
WATCHED = {
    'people': {
        'user': ('name', 'job_title', 'school_id', 'active'),
        'user_skill': None,
        'profile': ('offers_paused',),
        'offer': None,
        'school': ('name', 'phase', 'active'),
    },
    # A review's team picker: who may review, where they work, their days off and bookings
    # (with the booked review's school), and their strengths in the review's focus area.
    'reviewers': {
        'user': ('name', 'school_id', 'active'),
        'school': ('name',),
        'qualification': None,
        'user_role': None,
        'unavailable': None,
        'booking': None,
        'review': ('host_school_id',),
        'user_skill': None,
        'skill': ('name', 'category_id'),
        'skill_category': ('slug',),
    },
    # The header search's networks, meetings and reviews, and who may see which meetings.
    'records': {
        'network': ('name', 'purpose', 'priority', 'is_open', 'leader_id',
                    'critical_friend_id'),
        'network_member': None,
        'meeting': ('starts_at', 'state', 'network_id'),
        'agenda_item': ('title', 'meeting_id'),
        'review': ('focus', 'start_date', 'days', 'state',
                   'host_school_id'),
        'school': ('name',),
    },
    # The review list's themes: a year of findings by focus area, and the areas' names.
    'themes': {
        'review': ('focus_area', 'to_develop', 'state', 'start_date'),
        'skill_category': ('slug', 'name'),
    },
    # The home page's partnership panels for leads: reviews awaiting their host, searches
    # that found nobody, networks without their critical friend this term, overdue actions.
    'partnership': {
        'review': ('state', 'start_date', 'days', 'host_school_id'),
        'school': ('name',),
        'search_miss': None,
        'network': ('name', 'status', 'critical_friend_id'),
        'meeting': ('starts_at', 'network_id'),
        'attendance': None,
        'action': ('status', 'due_on', 'network_id'),
    },
}


def upgrade():
    op.create_table(
        'data_version',
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('stamp', sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_data_version')),
    )
    for statement in ddl(op.get_bind().dialect.name, WATCHED):
        op.execute(statement)


def downgrade():
    for statement in drop_ddl(op.get_bind().dialect.name, WATCHED):
        op.execute(statement)
    op.drop_table('data_version')
