"""Reads shared by the networks pages and the rest of the site: loader options, single
rows, a network's people, and a person's own actions and meetings (the home page, calendar
feeds). The pages' own reads are in ``pages``, the leads' roll-up in ``overview``: a fixed,
small number of queries whatever the data size."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import cache

from sqlalchemy import bindparam, case, func, or_, select
from sqlalchemy.orm import defaultload, lazyload

from ..clock import utcnow
from ..extensions import db, get_with
from ..people.models import School, User
from .models import Action, AgendaItem, Meeting, Network, NetworkMember, PlanRow


# Users shown on these pages need their names and schools, never their site roles: leave
# ``User.role_rows`` to load on access instead of one extra query per relationship. Built
# once per set of paths: making loader options costs more than some of the queries.
@cache
def no_roles(*paths, schools: bool = True) -> tuple:
    """Loader options for the users at ``paths``: never their roles, and their schools only
    if ``schools`` (each school joined is another table of columns on every row)."""
    options = []
    for path in paths:
        option = defaultload(path[0])
        for step in path[1:]:
            option = option.defaultload(step)
        options.append(option.lazyload(User.role_rows))
        if not schools:
            options.append(option.lazyload(User.school))
    return tuple(options)


# For lists that show names and dates only: none of the row's relationships loaded.
BARE = (lazyload("*"),)
# A meeting as a link: its network's name, not the network's people or the venue.
MEETING_LINK = (lazyload(Meeting.school), lazyload(Meeting.minutes_approved_by),
                defaultload(Meeting.network).lazyload("*"))

# An action in "My actions": its meeting's date and network's name, nothing further (the
# default joins reached fifteen tables, which PostgreSQL took ~13 ms to plan).
ACTION_ROW = (lazyload(Action.owner), defaultload(Action.network).lazyload("*"),
              defaultload(Action.meeting).lazyload("*"))

NETWORK_USERS = [(Network.leader,), (Network.critical_friend,)]
MEETING_USERS = [(Meeting.network, Network.leader), (Meeting.network, Network.critical_friend),
                 (Meeting.minutes_approved_by,)]
ACTION_USERS = [(Action.owner,), (Action.network, Network.leader),
                (Action.network, Network.critical_friend),
                *[(Action.meeting, *p) for p in MEETING_USERS]]
# Presenters and proposers are the network's people, whom the page loads anyway: read from
# the session's identity map when the page shows them, not joined (four joins) per item.
ITEM_PEOPLE = (lazyload(AgendaItem.presenter), lazyload(AgendaItem.proposed_by))


_NETWORK = select(Network).where(Network.id == bindparam("id")) \
    .options(*no_roles(*NETWORK_USERS))


def network(network_id: int) -> Network | None:
    return get_with(_NETWORK, Network, network_id)


# The meeting's pages name its people but never their schools: 102 columns over nine tables
# became 75 over six.
_MEETING = select(Meeting).where(Meeting.id == bindparam("id")) \
    .options(*no_roles(*MEETING_USERS, schools=False))


def meeting(meeting_id: int) -> Meeting | None:
    return get_with(_MEETING, Meeting, meeting_id)


def people_of(network: Network, members: list[NetworkMember]) -> list[User]:
    """Leader, critical friend and accepted members, each once, by name."""
    people = {network.leader.id: network.leader}
    if network.critical_friend:
        people[network.critical_friend.id] = network.critical_friend
    for m in members:
        if m.status == "member":
            people.setdefault(m.user.id, m.user)
    return sorted(people.values(), key=lambda u: u.name)


def members_of(network: Network, *, schools: bool = False) -> list[NetworkMember]:
    """Everyone who has joined or asked to (with their schools if ``schools``): one query."""
    return list(db.session.scalars(_MEMBERS[schools], {"network_id": network.id}))


_MEMBERS = {schools: select(NetworkMember)
            .where(NetworkMember.network_id == bindparam("network_id"))
            .options(*no_roles((NetworkMember.user,), schools=schools))
            for schools in (True, False)}


def my_actions(user_id: int, *, include_done: bool = False) -> list[Action]:
    """My actions across networks, overdue first (oldest due date first), then done."""
    stmt = select(Action).where(Action.owner_id == user_id)
    if not include_done:
        stmt = stmt.where(Action.status == "open")
    return list(db.session.scalars(
        stmt.options(*ACTION_ROW)
        .order_by(case((Action.status == "open", 0), else_=1), Action.due_on, Action.id)
        .limit(500)))


def my_next_actions(user_id: int, today: date, *, limit: int) -> tuple[list[Action], int]:
    """For the home page: my first few open actions, soonest due first, and how many of all
    my open actions are overdue (two small queries, whatever I own)."""
    params = {"user_id": user_id, "today": today, "limit": limit}
    return list(db.session.scalars(_NEXT_ACTIONS, params)), \
        db.session.scalar(_OVERDUE_COUNT, params)


_MY_OPEN = (Action.owner_id == bindparam("user_id")) & (Action.status == "open")
_OVERDUE_COUNT = select(func.count()).select_from(Action) \
    .where(Action.owner_id == bindparam("user_id"), Action.overdue_where(bindparam("today")))
_NEXT_ACTIONS = select(Action).where(_MY_OPEN).options(*BARE) \
    .order_by(Action.due_on, Action.id).limit(bindparam("limit"))


def action(action_id: int) -> Action | None:
    return db.session.get(Action, action_id)


def item(meeting_id: int, item_id: int) -> AgendaItem | None:
    row = db.session.get(AgendaItem, item_id)
    return row if row is not None and row.meeting_id == meeting_id else None


def plan_row(network_id: int, row_id: int) -> PlanRow | None:
    row = db.session.get(PlanRow, row_id)
    return row if row is not None and row.network_id == network_id else None


def schools() -> list[School]:
    return list(db.session.scalars(select(School).where(School.active.is_(True))
                                   .order_by(School.name)))


def active_people() -> list[User]:
    return list(db.session.scalars(select(User).where(User.active.is_(True))
                                   .order_by(User.name)))


def my_meetings(user_id: int, since: datetime, *, limit: int = 500,
                options=()) -> list[Meeting]:
    """Meetings from ``since`` of the networks a person leads, befriends or belongs to: the
    published ones, and drafts too for the leader and critical friend who prepare them."""
    return list(db.session.scalars(_my_meetings(options), {
        "user_id": user_id, "since": since, "limit": limit}))


@cache
def _my_meetings(options: tuple):
    user = bindparam("user_id")
    mine = select(NetworkMember.network_id).where(NetworkMember.user_id == user,
                                                  NetworkMember.status == "member")
    runs = or_(Network.leader_id == user, Network.critical_friend_id == user)
    return select(Meeting).join(Network, Network.id == Meeting.network_id) \
        .where(Meeting.starts_at >= bindparam("since"), or_(Network.id.in_(mine), runs),
               or_(Meeting.state != "draft", runs)) \
        .options(*options).order_by(Meeting.starts_at).limit(bindparam("limit"))


def feed_meetings(user_id: int, since_days: int = 60) -> list[Meeting]:
    """For a calendar subscription: published meetings from two months back."""
    return [m for m in my_meetings(user_id, utcnow() - timedelta(days=since_days))
            if m.state != "draft"]
