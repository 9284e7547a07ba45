"""What the home page shows a person: what waits on them, their coming reviews, and for leads
the partnership at a glance. A fixed number of queries whatever the data size."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import selectinload

from ..directory.help import open_counts
from ..directory.models import SearchMiss
from ..directory.services import needs_confirming
from ..extensions import db
from ..people.models import User
from ..reviews.models import Review
from ..reviews.queries import MINE
from ..security import ADMIN, HEAD, LEAD

WEEKS_AHEAD = 8


@dataclass
class Todo:
    text: str
    endpoint: str
    args: dict = field(default_factory=dict)


@dataclass
class Dashboard:
    todos: list[Todo]
    reviews: list[Review]
    help_waiting: int
    profile_stale: bool
    meetings: list = field(default_factory=list)
    actions: list = field(default_factory=list)
    overdue_actions: int = 0
    awaiting_confirmation: list[Review] = field(default_factory=list)
    unmet: list[SearchMiss] = field(default_factory=list)
    lonely_networks: list = field(default_factory=list)
    term: str = ""
    overdue_by_network: list = field(default_factory=list)


# The home page's statements, built once (see extensions.get_with): what changes is a parameter.
_MY_REVIEWS = select(Review).where(
    MINE, Review.state != "cancelled",
    or_(Review.start_date.between(bindparam("recent"), bindparam("horizon")),
        Review.workshop_date.between(bindparam("today"), bindparam("horizon")),
        Review.state.in_(("data_shared", "reviewed")))) \
    .options(selectinload(Review.members)).order_by(Review.start_date).limit(20)
_AWAITING = select(Review).where(Review.state == "proposed",
                                 Review.start_date >= bindparam("today")) \
    .order_by(Review.start_date).limit(10)
_UNMET = select(SearchMiss).where(SearchMiss.month == bindparam("month")) \
    .order_by(SearchMiss.count.desc(), SearchMiss.term).limit(5)


def dashboard(user: User, today: date) -> Dashboard:
    reviews = list(db.session.scalars(_MY_REVIEWS, {
        "me": user.id, "my_school": user.school_id or 0, "today": today,
        "recent": today - timedelta(days=2), "horizon": today + timedelta(weeks=WEEKS_AHEAD)}))
    todos = []
    for review in reviews:
        host_head = user.has_role(HEAD) and review.host_school_id == user.school_id
        lead_reviewer = any(m.user_id == user.id and m.role == "lead" for m in review.members)
        if review.state == "proposed" and host_head:
            todos.append(Todo(f"Confirm or decline the review of your school on "
                              f"{review.start_date:%-d %B}", "reviews.detail",
                              {"review_id": review.id}))
        elif review.state in ("data_shared", "reviewed") and lead_reviewer:
            todos.append(Todo(f"Record the findings of the review of {review.host_school.name}",
                              "reviews.detail", {"review_id": review.id}))
    waiting = open_counts(user)["received"]
    if waiting:
        todos.append(Todo(f"Answer {waiting} request{'s' if waiting != 1 else ''} for help",
                          "directory.help_list"))
    stale = needs_confirming(user.profile)
    if stale:
        todos.append(Todo("Check your profile is still correct this year",
                          "directory.profile", {"user_id": user.id}))
    board = Dashboard(todos=todos, reviews=reviews, help_waiting=waiting, profile_stale=stale)
    _networks(board, user, today)
    if user.has_role(LEAD, ADMIN):
        board.awaiting_confirmation = list(db.session.scalars(_AWAITING, {"today": today}))
        board.unmet = list(db.session.scalars(_UNMET, {"month": today.strftime("%Y-%m")}))
    return board



def _networks(board: Dashboard, user: User, today: date) -> None:
    """My next meetings and open actions; for leads, where networks need a nudge."""
    from ..networks import queries as networks

    start_of_today = datetime.combine(today, datetime.min.time())
    board.meetings = networks.my_meetings(user.id, start_of_today, limit=5,
                                          options=networks.MEETING_LINK)
    board.actions, board.overdue_actions = networks.my_next_actions(user.id, today, limit=5)
    if board.overdue_actions:
        board.todos.insert(0, Todo(
            f"{board.overdue_actions} of your actions {'is' if board.overdue_actions == 1 else 'are'}"
            " past their due date", "networks.actions"))
    if user.has_role(LEAD, ADMIN):
        t_start, t_end, board.term = networks.term_bounds(today)
        board.lonely_networks = networks.without_critical_friend(
            datetime.combine(t_start, datetime.min.time()),
            datetime.combine(t_end, datetime.min.time()), options=networks.BARE)
        board.overdue_by_network = networks.overdue_by_network(today)


# --- Site-wide search ------------------------------------------------------------------------

PER_KIND = 8


@dataclass
class SiteResults:
    q: str
    people: list = field(default_factory=list)   # directory results
    people_total: int = 0
    networks: list = field(default_factory=list)
    meetings: list = field(default_factory=list)
    reviews: list = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.people_total + len(self.networks) + len(self.meetings) + len(self.reviews)


def site_search(user: User, q: str) -> SiteResults:
    """People (by name, job title and skill, as the directory finds them), networks, meetings
    and reviews, each kind capped. Only what the person may open: meetings of open networks
    or their own, never drafts of others; reviews by school and enquiry focus, never by
    findings."""
    from ..directory import queries as directory
    from ..networks.models import AgendaItem, Meeting, Network, NetworkMember
    from ..networks.queries import MEETING_LINK
    from ..people.models import School
    from ..people.queries import contains
    from ..text_index import contains_text

    q = (q or "").strip()[:200]
    results = SiteResults(q=q)
    if not q:
        return results
    found = directory.search(directory.Filters(q=q))
    results.people, results.people_total = found.results[:PER_KIND], found.page.total
    results.networks = list(db.session.scalars(
        select(Network).where(or_(contains(Network.name, q), contains(Network.purpose, q),
                                  contains(Network.priority, q)))
        .order_by(Network.name).limit(PER_KIND)))
    mine = select(NetworkMember.network_id).where(NetworkMember.user_id == user.id,
                                                  NetworkMember.status == "member")
    runs = or_(Network.leader_id == user.id, Network.critical_friend_id == user.id)
    visible = or_(Network.is_open.is_(True), Network.id.in_(mine), runs) \
        if not user.has_role(LEAD, ADMIN) else Network.id.is_not(None)
    # A result shows its network's name only: not the network's people or the venue.
    results.meetings = list(db.session.scalars(
        select(Meeting).join(Network, Network.id == Meeting.network_id)
        .where(visible, or_(Meeting.state != "draft", runs),
               or_(contains(Network.name, q), Meeting.id.in_(
                   select(AgendaItem.meeting_id).where(contains_text(AgendaItem.title, q)))))
        .options(*MEETING_LINK).order_by(Meeting.starts_at.desc()).limit(PER_KIND)))
    results.reviews = list(db.session.scalars(
        select(Review).join(School, School.id == Review.host_school_id)
        .where(or_(contains(School.name, q), contains(Review.focus, q)))
        .order_by(Review.start_date.desc()).limit(PER_KIND)))
    return results
