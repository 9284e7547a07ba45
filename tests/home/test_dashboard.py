"""The home page shows each person what waits on them, and runs a fixed number of queries."""

from __future__ import annotations

from sqlalchemy import text

from eip_site.clock import utcnow
from eip_site.extensions import db
from eip_site.directory.models import Skill
from eip_site.networks import minutes
from eip_site.networks.models import Network
from eip_site.people.models import User
from eip_site.reviews.models import Review

from .. import factories
from ..helpers import days, monday, page_queries, sign_in


def test_a_head_is_asked_to_confirm_and_a_lead_sees_the_partnership(app, client):
    with app.app_context():
        host = factories.school(name="Host Primary")
        head = factories.user(roles={"head"}, school=host)
        reviewer = factories.user(name="Rhona Reviewer")
        lead = factories.user(roles={"lead"}, school=None)
        review = factories.review(host=host, state="proposed", team=(reviewer,),
                                  start=days(20))
        factories.help_request(head, reviewer, message="Phonics?", status="open")
        factories.search_miss("latin", count=3)
        factories.profile(reviewer, confirmed_at=utcnow())
        db.session.commit()
        ids = head.id, reviewer.id, lead.id, review.id
    sign_in(client, ids[0])
    page = client.get("/").get_data(as_text=True)
    assert "Confirm or decline the review of your school on" in page
    assert f'href="/reviews/{ids[3]}"' in page
    assert "Check your profile is still correct this year" in page  # no profile yet
    sign_in(client, ids[1])
    page = client.get("/").get_data(as_text=True)
    assert "Answer 1 request for help" in page
    assert "Check your profile" not in page
    assert "Host Primary" in page.split("Your reviews in the next eight weeks")[1]
    sign_in(client, ids[2])
    page = client.get("/").get_data(as_text=True)
    glance = page.split("The partnership at a glance")[1]
    assert "Host Primary" in glance and "“latin” (3 times)" in glance

    # The panels are remembered for every lead (under the partnership stamp) and follow
    # each change: the head confirms, the same search misses again.
    with app.app_context():
        db.session.get(Review, ids[3]).state = "confirmed"
        db.session.execute(text("UPDATE search_miss SET count = count + 1"))
        db.session.commit()
    glance = client.get("/").get_data(as_text=True).split("The partnership at a glance")[1]
    assert "Host Primary" not in glance and "“latin” (4 times)" in glance


def test_an_empty_home_says_what_to_do(client):
    sign_in(client)
    page = client.get("/").get_data(as_text=True)
    assert "Your reviews in the next eight weeks" in page
    assert "You are not on a review" in page
    assert "The partnership at a glance" not in page


def _count(app, client) -> int:
    return page_queries(app, client, "/")


def test_home_runs_the_same_queries_with_few_and_many_reviews(app, client):
    with app.app_context():
        host = factories.school()
        head = factories.user(roles={"head", "lead"}, school=host)
        people = [factories.user() for _ in range(4)]
        factories.review(host=host, state="proposed", team=(people[0],))
        db.session.commit()
        head_id, host_id, people = head.id, host.id, [p.id for p in people]
    sign_in(client, head_id)
    small = _count(app, client)
    with app.app_context():
        for i in range(40):
            factories.review(host=factories.school(), state="proposed", start=days(3 + i),
                             team=(db.session.get(User, people[1 + i % 3]),) if i < 3 else ())
            factories.review(host=host_id, start=days(60 + i), days=1, state="confirmed")
        db.session.commit()
    assert _count(app, client) == small


def test_a_network_leader_sees_their_next_meeting_and_overdue_actions(app, client):
    with app.app_context():
        leader, lead = factories.user(name="Lee Leader"), factories.user(roles={"lead"})
        network = factories.network(name="Transitions", leader=leader, lead=lead, is_open=True)
        past = factories.meeting(network, day=days(-14), state="held")
        minutes.add_action(actor=leader, meeting=past, description="Share the Y6 booklet",
                            owner_id=leader.id, due_on=days(-3))
        factories.meeting(network, day=days(9))
        db.session.commit()
        ids = leader.id, lead.id
    sign_in(client, ids[0])
    page = client.get("/").get_data(as_text=True)
    assert "1 of your actions is past their due date" in page
    meetings = page.split("Your next network meetings")[1].split("</section>")[0]
    assert "Transitions" in meetings and "Draft agenda" in meetings  # the leader sees drafts
    actions = page.split("Your open actions")[1].split("</section>")[0]
    assert "Share the Y6 booklet" in actions and "Overdue" in actions
    sign_in(client, ids[1])
    glance = client.get("/").get_data(as_text=True).split("The partnership at a glance")[1]
    assert "Transitions</a>: 1" in glance  # overdue actions by network


def test_home_and_search_run_the_same_queries_on_small_and_bench_sized_data(app, client):
    """The bench generator at two sizes: every panel full for the bench lead."""
    from sqlalchemy import select

    from eip_site.seeds import bench as bench_data

    from ..conftest import truncate_all

    counts = []
    for schools, networks in ((3, 2), (30, 20)):
        with app.app_context():
            truncate_all()
            bench_data.seed_bench(schools=schools, staff=20, seed=3, networks=networks,
                                  meetings_per_network=6, items_per_meeting=5)
            db.session.commit()
            lead = db.session.scalar(select(User.id).where(User.email == bench_data.LEAD_EMAIL))
        sign_in(client, lead)
        client.get("/")
        client.get("/search?q=phonics")
        counts.append((page_queries(app, client, "/"),
                       page_queries(app, client, "/search?q=phonics")))
    assert counts[0] == counts[1]


def test_what_waits_for_a_lead_a_network_leader_and_a_champion(app, client, vocab):
    """Issue 17.11: a lead's suggestions and proposals, a leader's join requests and proposed
    items, a champion's bookings (or a prompt to book), and why a review is listed."""
    from eip_site.directory import services as directory
    from eip_site.networks import agenda, lifecycle
    from eip_site.reviews import services as reviews

    with app.app_context():
        lead = factories.user(roles={"lead"}, school=None)
        leader, member, asker = (factories.user(name=n) for n in ("Lee Leader", "Mo Member",
                                                                     "Ann Asker"))
        network = factories.network(name="Transitions", leader=leader, lead=lead,
                                    members=(member,))
        meeting = factories.meeting(network, day=days(20))
        agenda.add_item(actor=member, meeting=meeting, title="Reading at home")
        # Members propose for a published agenda too; a held or cancelled meeting's wait no more.
        published = factories.meeting(network, day=days(27), state="published")
        agenda.add_item(actor=member, meeting=published, title="Shared reading")
        held = factories.meeting(network, day=days(-7), state="published")
        agenda.add_item(actor=member, meeting=held, title="Too late")
        held.state = "held"
        cancelled = factories.meeting(network, day=days(41), state="published")
        agenda.add_item(actor=member, meeting=cancelled, title="Never discussed")
        cancelled.cancelled_at = utcnow()
        lifecycle.ask_to_join(actor=asker, network=network)
        lifecycle.propose_network(actor=asker, name="Oracy", purpose="Talk")
        category = db.session.get(Skill, vocab["Phonics"]).category_id
        for name in ("Chess club", "Bell ringing"):
            directory.suggest_skill(actor=asker, name=name, category_id=category)
        host = factories.school(name="Host Primary")
        champion = factories.user(roles={"champion"}, school=factories.school(name="Ash"))
        idle = factories.user(roles={"champion"})
        reviews.create_review(actor=champion, host_school=host, focus="Reading",
                              focus_area="curriculum", start_date=monday(4), days=1)
        colleague = factories.user(school=host, name="Hana Host")
        db.session.commit()
        ids = lead.id, leader.id, champion.id, idle.id, colleague.id
    sign_in(client, ids[0])
    page = client.get("/").get_data(as_text=True)
    assert "Nothing is waiting for you" not in page
    assert "Decide 2 suggested skills" in page and "Sponsor or decline 1 proposed network" in page
    sign_in(client, ids[1])
    page = client.get("/").get_data(as_text=True)
    assert "1 person asks to join Transitions" in page
    assert "Accept or remove 2 agenda items proposed for Transitions" in page
    sign_in(client, ids[2])
    booked = client.get("/").get_data(as_text=True).split("Reviews you booked")[1]
    assert "Host Primary" in booked.split("</section>")[0] and "Planned" in booked
    sign_in(client, ids[3])
    page = client.get("/").get_data(as_text=True)
    assert "You have not booked a review yet." in page and 'href="/reviews/new"' in page
    sign_in(client, ids[4])
    mine = client.get("/").get_data(as_text=True).split("Your reviews in the next eight weeks")[1]
    assert "(your school is hosting)" in mine.split("</section>")[0]


def test_home_runs_the_same_queries_for_a_leader_and_champion_with_more_to_do(app, client):
    from eip_site.networks import lifecycle

    with app.app_context():
        person = factories.user(roles={"champion", "lead"})
        lead = factories.user(roles={"lead"})
        network = factories.network(leader=person, lead=lead)
        factories.review(created_by_id=person.id)
        db.session.commit()
        ids = person.id, network.id
    sign_in(client, ids[0])
    small = _count(app, client)
    with app.app_context():
        for i in range(5):
            asker = factories.user()
            lifecycle.ask_to_join(actor=asker, network=db.session.get(Network, ids[1]))
            factories.network(leader=db.session.get(User, ids[0]), lead=lead)
            factories.review(created_by_id=ids[0], start=days(10 + i))
        db.session.commit()
    assert _count(app, client) == small
