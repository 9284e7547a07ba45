"""What the home page shows a person: what waits on them, their coming reviews, and for leads
the partnership at a glance. A fixed number of queries whatever the data size."""

from __future__ import annotations

from collections import namedtuple
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache

from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.orm import selectinload

from .. import outbox, text_index
from ..data_version import Remembered, stamps
from ..directory.models import SearchMiss, Skill
from ..directory.queries import count_to_confirm
from ..directory.services import needs_confirming
from ..extensions import db
from ..help_requests.queries import open_counts
from ..networks.models import STATE_ORDER, AgendaItem, Meeting, MeetingState, Network, \
    NetworkMember
from ..people.models import User
from ..reviews.models import OPEN_STATES, Review
from ..reviews.queries import MINE
from ..security import ADMIN, CHAMPION, HEAD, LEAD

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
    awaiting_confirmation: list = field(default_factory=list)
    unmet: list = field(default_factory=list)
    lonely_networks: list = field(default_factory=list)
    term: str = ""
    overdue_by_network: list = field(default_factory=list)
    booked: list = field(default_factory=list)  # a champion's: the reviews they booked
    is_champion: bool = False


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
_BOOKED = select(Review).where(Review.created_by_id == bindparam("me"),
                               Review.state.in_(OPEN_STATES)) \
    .order_by(Review.start_date).limit(10)
# Counts of what waits on a person as a network's leader and as a lead: one statement.
_LEADER_WAITING = select(
    Network.id, Network.name,
    select(func.count()).select_from(NetworkMember)
    .where(NetworkMember.network_id == Network.id, NetworkMember.status == "requested")
    .scalar_subquery(),
    select(func.count()).select_from(AgendaItem).join(Meeting)
    # Members propose items until the meeting is held, published agenda or not.
    .where(Meeting.network_id == Network.id,
           Meeting.state.in_(STATE_ORDER[:STATE_ORDER.index("held")]),
           Meeting.cancelled_at.is_(None), AgendaItem.status == "proposed").scalar_subquery(),
).where(Network.leader_id == bindparam("me"), Network.status == "sponsored") \
    .order_by(Network.name)
_LEAD_WAITING = select(
    select(func.count()).select_from(Skill).where(Skill.status == "suggested")
    .scalar_subquery(),
    select(func.count()).select_from(Network).where(Network.status == "proposed")
    .scalar_subquery())
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
    todos.extend(_leader_todos(user))
    if user.has_role(HEAD, LEAD):  # colleagues' review training, waiting for them
        to_confirm = count_to_confirm(user)
        if to_confirm:
            todos.append(Todo(f"Confirm colleagues’ review training ({to_confirm} waiting)",
                              "directory.qualifications"))
    if user.has_role(ADMIN):
        failing = outbox.failing()
        if failing:
            todos.insert(0, Todo(f"{failing} email{'s are' if failing != 1 else ' is'} failing "
                                 "to send: see why", "admin.mail"))
    board = Dashboard(todos=todos, reviews=reviews, help_waiting=waiting, profile_stale=stale)
    if user.has_role(CHAMPION):
        board.is_champion = True
        board.booked = list(db.session.scalars(_BOOKED, {"me": user.id}))
    _networks(board, user, today)
    if user.has_role(LEAD, ADMIN):
        stamp, = stamps("partnership")
        (board.awaiting_confirmation, board.unmet, board.term, board.lonely_networks,
         board.overdue_by_network) = _PARTNERSHIP.get(stamp, today, lambda: _for_leads(today))
    return board


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _leader_todos(user: User) -> list[Todo]:
    """For a network's leader: join requests and proposed agenda items, by network; for a
    lead: skill suggestions to decide and network proposals to sponsor."""
    todos = []
    for network_id, name, requests, items in db.session.execute(_LEADER_WAITING,
                                                                 {"me": user.id}):
        if requests:
            todos.append(Todo(f"{_plural(requests, 'person asks', 'people ask')} to join "
                              f"{name}", "networks.network", {"network_id": network_id}))
        if items:
            todos.append(Todo(f"Accept or remove {_plural(items, 'agenda item', 'agenda items')}"
                              f" proposed for {name}", "networks.network",
                              {"network_id": network_id}))
    if user.has_role(LEAD):
        skills, networks = db.session.execute(_LEAD_WAITING).one()
        if skills:
            todos.append(Todo(f"Decide {_plural(skills, 'suggested skill', 'suggested skills')}",
                              "directory.skills"))
        if networks:
            todos.append(Todo(f"Sponsor or decline "
                              f"{_plural(networks, 'proposed network', 'proposed networks')}",
                              "networks.index"))
    return todos


Named = namedtuple("Named", "id name")
Miss = namedtuple("Miss", "term count")
_PARTNERSHIP = Remembered(size=1)  # the same for every lead: under the partnership stamp


def _for_leads(today: date) -> tuple:
    """The partnership at a glance, as plain rows: reviews awaiting their host, searches that
    found nobody this month, the term, networks whose critical friend has not come this
    term, and overdue actions by network."""
    from ..networks import overview
    from ..networks.queries import BARE

    awaiting = [ReviewHit(r.id, r.start_date, r.end_date, r.focus, r.state, r.host_school.name)
                for r in db.session.scalars(_AWAITING, {"today": today})]
    unmet = [Miss(m.term, m.count)
             for m in db.session.scalars(_UNMET, {"month": today.strftime("%Y-%m")})]
    t_start, t_end, term = overview.term_bounds(today)
    lonely = [Named(n.id, n.name) for n in overview.without_critical_friend(
        datetime.combine(t_start, datetime.min.time()),
        datetime.combine(t_end, datetime.min.time()), options=BARE)]
    return awaiting, unmet, term, lonely, overview.overdue_by_network(today)



def _networks(board: Dashboard, user: User, today: date) -> None:
    """My next meetings and open actions."""
    from ..networks import queries as networks

    start_of_today = datetime.combine(today, datetime.min.time())
    board.meetings = networks.my_meetings(user.id, start_of_today, limit=5,
                                          options=networks.MEETING_LINK)
    board.actions, board.overdue_actions = networks.my_next_actions(user.id, today, limit=5)
    if board.overdue_actions:
        board.todos.insert(0, Todo(
            f"{board.overdue_actions} of your actions {'is' if board.overdue_actions == 1 else 'are'}"
            " past their due date", "networks.actions"))


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


@dataclass(frozen=True)
class NetworkHit:
    id: int
    name: str
    purpose: str


@dataclass(frozen=True)
class MeetingHit(MeetingState):
    """A meeting found: its network's name only, not the network's people or the venue."""
    id: int
    starts_at: datetime
    state: str
    network_name: str


@dataclass(frozen=True)
class ReviewHit:
    id: int
    start_date: date
    end_date: date
    focus: str
    state: str
    school_name: str


def site_search(user: User, q: str) -> SiteResults:
    """People (by name, job title and skill, as the directory finds them), networks, meetings
    and reviews, each kind capped. Only what the person may open: meetings of open networks
    or their own, never drafts of others; reviews by school and enquiry focus, never by
    findings. As plain rows, remembered per worker until what they show changes (see
    data_version)."""
    from ..directory import queries as directory
    from ..text_index import substring_pattern

    q = (q or "").strip()[:200]
    results = SiteResults(q=q)
    if not q:
        return results
    found = directory.search(directory.Filters(q=q))
    results.people, results.people_total = found.results[:PER_KIND], found.page.total
    sees_all = user.has_role(LEAD, ADMIN)
    conn = db.session.connection()

    def read():
        networks, meetings, reviews = _site_statements(text_index.indexable(q), sees_all)
        params = {"pattern": substring_pattern(q), "phrase": text_index.phrase(q),
                  "user": user.id}
        return ([NetworkHit(*r) for r in conn.execute(networks, params)],
                [MeetingHit(*r) for r in conn.execute(meetings, params)],
                [ReviewHit(*r) for r in conn.execute(reviews, params)])
    stamp, = stamps("records")
    results.networks, results.meetings, results.reviews = _FOUND.get(
        stamp, (q, None if sees_all else user.id), read)
    return results


_FOUND = Remembered()  # what the site search found besides people, under the records stamp


@cache
def _site_statements(indexed: bool, sees_all: bool):
    """The site search's statements for networks, meetings and reviews, built once for each
    kind of search (words the SQLite text index can serve; a lead, who sees every network).
    Parameters: pattern (``substring_pattern``), phrase (``text_index.phrase``), user."""
    from ..networks.models import AgendaItem, Meeting, Network, NetworkMember
    from ..people.models import School
    from ..text_index import contains

    pattern, user = bindparam("pattern"), bindparam("user")
    networks = select(Network.id, Network.name, Network.purpose) \
        .where(or_(contains(Network.name, pattern), contains(Network.purpose, pattern),
                   contains(Network.priority, pattern))) \
        .order_by(Network.name).limit(PER_KIND)

    runs = or_(Network.leader_id == user, Network.critical_friend_id == user)
    visible = [] if sees_all else [or_(
        Network.is_open.is_(True), runs, Network.id.in_(select(NetworkMember.network_id).where(
            NetworkMember.user_id == user, NetworkMember.status == "member")))]
    items = select(AgendaItem.meeting_id).where(contains(AgendaItem.title, pattern))
    if indexed:
        items = items.where(AgendaItem.id.in_(
            text_index.candidates("agenda_item", bindparam("phrase"))))
    # The names matched first, in their own small tables: matching them on each of 3,000
    # meetings' (or 1,000 reviews') joined rows cost PostgreSQL ~3 ms (~1 ms).
    named = select(Network.id).where(contains(Network.name, pattern))
    meetings = select(Meeting.id, Meeting.starts_at, Meeting.state, Network.name) \
        .join(Network, Network.id == Meeting.network_id) \
        .where(*visible, or_(Meeting.state != "draft", runs),
               or_(Meeting.network_id.in_(named), Meeting.id.in_(items))) \
        .order_by(Meeting.starts_at.desc()).limit(PER_KIND)

    hosts = select(School.id).where(contains(School.name, pattern))
    reviews = select(Review.id, Review.start_date, Review.end_date, Review.focus, Review.state,
                     School.name) \
        .join(School, School.id == Review.host_school_id) \
        .where(or_(Review.host_school_id.in_(hosts), contains(Review.focus, pattern))) \
        .order_by(Review.start_date.desc()).limit(PER_KIND)
    return networks, meetings, reviews
