"""Review pages over HTTP: booking with errors beside the field, the race for one reviewer,
confidential findings, calendars, and query counts that do not grow with the data."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from eip_site.directory.models import Qualification
from eip_site.extensions import db
from eip_site.people.models import School, User
from eip_site.reviews.models import Booking, Review
from eip_site.seeds.vocabulary import install_default_vocabulary

from .. import factories
from ..helpers import page_queries, sign_in


def monday(weeks: int = 4) -> date:
    d = date.today() + timedelta(weeks=weeks)
    return d - timedelta(days=d.weekday())


@pytest.fixture
def cluster(app):
    with app.app_context():
        install_default_vocabulary(db.session.connection())
        db.session.commit()
        host, other, third = (factories.school(name=n) for n in ("Host", "Other", "Third"))
        reviewers = []
        for i in range(4):
            person = factories.user(school_obj=other if i % 2 else third, name=f"Reviewer {i}")
            db.session.add(Qualification(user_id=person.id, kind="peer_reviewer"))
            reviewers.append(person.id)
        db.session.commit()
        return {"host": host.id, "other": other.id, "third": third.id, "reviewers": reviewers,
                "champion": factories.user(roles={"champion"}, school_obj=other).id,
                "champion2": factories.user(roles={"champion"}, school_obj=third).id,
                "head": factories.user(roles={"head"}, school_obj=host).id,
                "teacher": factories.user(school_obj=other).id}


def new_review(app, host: int, start: date, days: int = 1) -> int:
    with app.app_context():
        return factories.review(host=db.session.get(factories.School, host), start=start,
                                days=days).id


def test_booking_a_review_with_bad_input_shows_errors_beside_the_fields(app, cluster):
    client = sign_in(app, cluster["champion"])
    page = client.get("/reviews/new")
    assert page.status_code == 200 and b"Book a peer review" in page.data
    bad = client.post("/reviews/new", data={
        "host_school": cluster["host"], "focus": "x" * 10_000, "focus_area": "curriculum",
        "start_date": "31/02/2027", "days": "2"})
    assert bad.status_code == 422
    body = bad.get_data(as_text=True)
    assert "Keep the focus to 300 characters or fewer." in body
    assert "Enter a real date" in body
    assert "<title>Error: Book a peer review" in body
    past = client.post("/reviews/new", data={
        "host_school": cluster["host"], "focus": "<script>alert(1)</script> 🌈",
        "focus_area": "curriculum", "start_date": "2020-01-06", "days": "1"})
    assert past.status_code == 422 and b"today or later" in past.data
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Review)) == 0
    good = client.post("/reviews/new", data={
        "host_school": cluster["host"], "focus": "<script>alert(1)</script> 🌈",
        "focus_area": "curriculum", "start_date": monday().isoformat(), "days": "1"})
    assert good.status_code == 303
    shown = client.get(good.headers["Location"]).get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; 🌈" in shown and "<script>alert" not in shown


def test_a_staff_member_cannot_book(app, cluster):
    client = sign_in(app, cluster["teacher"])
    assert client.get("/reviews/new").status_code == 403
    assert client.get("/reviews/").status_code == 200


def test_two_champions_racing_for_one_reviewer_get_one_success_and_one_named_refusal(
        app, cluster):
    """Two real requests at the same moment, each booking Reviewer 0 on the same day for
    reviews of two different schools: the unique key lets exactly one through."""
    day = monday(5)
    first = new_review(app, cluster["host"], day)
    with app.app_context():
        fourth = factories.school(name="Fourth").id
    second = new_review(app, fourth, day)
    r = cluster["reviewers"]
    clients = [sign_in(app, cluster["champion"]), sign_in(app, cluster["champion2"])]
    forms = [{"lead": r[0], "reviewers": [r[1], r[2]]}, {"lead": r[0], "reviewers": [r[3], r[2]]}]
    barrier = threading.Barrier(2)
    answers: list = [None, None]

    def race(i: int, review_id: int):
        barrier.wait()
        answers[i] = clients[i].post(f"/reviews/{review_id}/team", data=forms[i])

    threads = [threading.Thread(target=race, args=(i, rid))
               for i, rid in enumerate((first, second))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [303, 422], statuses
    refusal = next(a for a in answers if a.status_code == 422).get_data(as_text=True)
    assert "Reviewer 0 is already booked on" in refusal or \
        "Reviewer 2 is already booked on" in refusal
    with app.app_context():
        per_day = db.session.execute(select(Booking.user_id, func.count()).where(
            Booking.day == day).group_by(Booking.user_id)).all()
    assert all(count == 1 for _user, count in per_day)


def _staffed(app, cluster, state="data_shared") -> int:
    with app.app_context():
        people = [db.session.get(factories.User, i) for i in cluster["reviewers"][:3]]
        review = factories.review(host=db.session.get(factories.School, cluster["host"]),
                                  team=tuple(people), state=state,
                                  went_well="Calm corridors", to_develop="Questioning",
                                  summary="Secret summary")
        return review.id


def test_findings_are_hidden_from_a_teacher_at_another_school(app, cluster):
    review_id = _staffed(app, cluster)
    teacher = sign_in(app, cluster["teacher"])
    page = teacher.get(f"/reviews/{review_id}").get_data(as_text=True)
    assert "Secret summary" not in page and "Findings" not in page
    assert teacher.post(f"/reviews/{review_id}/findings",
                        data={"summary": "overwritten"}).status_code == 404
    cal = teacher.get(f"/reviews/{review_id}.ics")
    assert cal.status_code == 200 and b"Secret summary" not in cal.data
    head = sign_in(app, cluster["head"]).get(f"/reviews/{review_id}").get_data(as_text=True)
    assert "Secret summary" in head
    lead_reviewer = sign_in(app, cluster["reviewers"][0])
    saved = lead_reviewer.post(f"/reviews/{review_id}/findings", data={
        "summary": "A new summary", "went_well": "", "to_develop": "",
        "version": str(_version(app, review_id))})
    assert saved.status_code == 303


def _version(app, review_id: int) -> int:
    with app.app_context():
        return db.session.get(Review, review_id).version


def test_a_stale_confirm_is_refused_with_409(app, cluster):
    review_id = _staffed(app, cluster, state="proposed")
    head = sign_in(app, cluster["head"])
    version = _version(app, review_id)
    assert head.post(f"/reviews/{review_id}/step", data={
        "to": "confirmed", "version": version}).status_code == 303
    again = head.post(f"/reviews/{review_id}/step", data={"to": "confirmed", "version": version})
    assert again.status_code == 409
    assert b"Someone else changed this" in again.data


def test_the_ics_and_the_personal_feed_parse(app, cluster):
    review_id = _staffed(app, cluster, state="confirmed")
    reviewer = sign_in(app, cluster["reviewers"][1])
    one = Calendar.from_ical(reviewer.get(f"/reviews/{review_id}.ics").data)
    assert one.walk("VEVENT")[0]["summary"] == "Peer review: Host"
    page = reviewer.get("/reviews/availability").get_data(as_text=True)
    url = page.split('id="feed-url" type="text" readonly value="')[1].split('"')[0]
    path = url.split("localhost", 1)[1]
    anonymous = app.test_client()
    feed = Calendar.from_ical(anonymous.get(path).data)
    assert [str(e["summary"]) for e in feed.walk("VEVENT")] == ["Peer review: Host"]
    assert reviewer.post("/reviews/feed/reset").status_code == 303
    assert anonymous.get(path).status_code == 404


def test_the_list_answers_with_a_fragment_for_htmx(app, cluster):
    _staffed(app, cluster)
    client = sign_in(app, cluster["teacher"])
    full = client.get("/reviews/?state=data_shared")
    fragment = client.get("/reviews/?state=data_shared", headers={"HX-Request": "true"})
    assert b"<html" in full.data and b"<html" not in fragment.data
    assert fragment.data.lstrip().startswith(b'<div id="review-list">')
    assert b"1 review found" in fragment.data
    assert "HX-Request" in fragment.headers["Vary"]


def test_the_list_pages_and_a_page_past_the_end_shows_the_last(app, cluster):
    _fill(app, cluster, 30, teams=False)
    client = sign_in(app, cluster["teacher"])
    first = client.get("/reviews/").get_data(as_text=True)
    assert "30 reviews found" in first and first.count("<tr>") == 1 + 25
    last = client.get("/reviews/?page=999").get_data(as_text=True)
    assert "30 reviews found" in last and "page 2 of 2" in last
    assert last.count("<tr>") == 1 + 5  # the heading row and the last five reviews


def test_themes_show_findings_without_schools_and_follow_an_edit(app, cluster):
    with app.app_context():
        host = db.session.get(factories.School, cluster["host"])
        review = factories.review(host=host, start=date.today() - timedelta(days=40),
                                  state="feedback", focus_area="pedagogy",
                                  to_develop="- Questioning\n- Feedback in books")
        factories.review(host=db.session.get(factories.School, cluster["third"]),
                         start=date.today() - timedelta(days=30), state="closed",
                         focus_area="pedagogy", to_develop="Questioning")
        review_id = review.id
    client = sign_in(app, cluster["teacher"])
    themes = client.get("/reviews/").get_data(as_text=True).split("Themes across")[1]
    assert "(2 reviews)" in themes and "<li>Questioning</li>" in themes
    assert themes.index("Questioning") < themes.index("Feedback in books")  # most common first
    assert "Host" not in themes
    with app.app_context():  # findings edited: the page shows the new ones at once
        db.session.get(Review, review_id).to_develop = "Reading for pleasure"
        db.session.commit()
    themes = client.get("/reviews/").get_data(as_text=True).split("Themes across")[1]
    assert "Reading for pleasure" in themes and "Feedback in books" not in themes


def _count(app, client, path: str) -> int:
    return page_queries(app, client, path)


def _fill(app, cluster, n: int, *, teams: bool) -> None:
    with app.app_context():
        schools = [factories.school() for _ in range(n)]
        people = [db.session.get(factories.User, i) for i in cluster["reviewers"]]
        for i, school in enumerate(schools):
            factories.review(host=school, start=monday(2) + timedelta(days=i % 20),
                             team=(people[i],) if teams and i < 4 else (), state="confirmed")


def test_review_pages_run_the_same_queries_on_10_and_on_100_reviews(app, cluster):
    review_id = _staffed(app, cluster)
    client = sign_in(app, cluster["head"])
    pages = ["/reviews/", "/reviews/?mine=1", f"/reviews/calendar?month={monday(2):%Y-%m}",
             f"/reviews/{review_id}"]
    def counts():
        """Each page just after the data changed (what it remembers is read again), then
        once more (remembered, see data_version)."""
        return {p: (_count(app, client, p), _count(app, client, p)) for p in pages}

    _fill(app, cluster, 10, teams=True)
    small = counts()
    _fill(app, cluster, 90, teams=False)
    assert counts() == small


def test_a_lead_proposes_a_rota_for_six_schools_and_accepts_it(app, cluster):
    with app.app_context():
        lead = factories.user(roles={"lead"}, no_school=True).id
        extra = [factories.school(name=f"Extra {i}").id for i in range(3)]
    schools = [cluster["host"], cluster["other"], cluster["third"], *extra]
    client = sign_in(app, lead)
    assert client.get("/reviews/rota").status_code == 200
    settings = {"schools": schools, "per_review": "2", "avoid_reciprocal": "y",
                "focus_area": "pedagogy", "days": "1"}
    proposal = client.post("/reviews/rota", data={**settings, "action": "propose"})
    assert proposal.status_code == 200
    visits = [v.split('"')[0] for v in
              proposal.get_data(as_text=True).split('name="visit" value="')[1:]]
    assert len(visits) == 6
    impossible = client.post("/reviews/rota", data={**settings, "per_review": "3",
                                                     "action": "propose"})
    assert impossible.status_code == 422 and b"each other" in impossible.data
    starts = {f"start-{v.split(':')[0]}": (monday(6) + timedelta(days=i % 5)).isoformat()
              for i, v in enumerate(visits)}
    missing = client.post("/reviews/rota", data={**settings, "action": "accept",
                                                  "visit": visits})
    assert missing.status_code == 422 and b"Enter the first review day" in missing.data
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Review)) == 0
    done = client.post("/reviews/rota", data={**settings, "action": "accept", "visit": visits,
                                               **starts})
    assert done.status_code == 303
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Review).where(
            Review.state == "planned")) == 6


def test_terms_and_closures(app, cluster):
    with app.app_context():
        lead = factories.user(roles={"lead"}, no_school=True).id
    client = sign_in(app, lead)
    bad = client.post("/admin/terms", data={"form": "term", "term-name": "Spring 2027",
                                            "term-start_date": "2027-03-26",
                                            "term-end_date": "2027-01-05"})
    assert bad.status_code == 422 and b"The last day must be the same as or after" in bad.data
    ok = client.post("/admin/terms", data={"form": "term", "term-name": "Spring 2027",
                                           "term-start_date": "2027-01-05",
                                           "term-end_date": "2027-03-26"})
    assert ok.status_code == 303
    overlap = client.post("/admin/terms", data={"form": "term", "term-name": "Oops",
                                                "term-start_date": "2027-03-01",
                                                "term-end_date": "2027-04-01"})
    assert overlap.status_code == 422 and b"overlap Spring 2027" in overlap.data

    head = sign_in(app, cluster["head"])
    page = head.get("/admin/terms").get_data(as_text=True)
    assert "Every school" not in page.split("Add a holiday or closure")[1]
    theirs = head.post("/admin/terms", data={
        "form": "closure", "closure-school": cluster["other"], "closure-name": "INSET",
        "closure-kind": "inset", "closure-start_date": "2027-01-04",
        "closure-end_date": "2027-01-04"})
    assert theirs.status_code == 422 and b"their own school only" in theirs.data
    mine = head.post("/admin/terms", data={
        "form": "closure", "closure-school": cluster["host"], "closure-name": "INSET",
        "closure-kind": "inset", "closure-start_date": "2027-01-04",
        "closure-end_date": "2027-01-04"})
    assert mine.status_code == 303
    with app.app_context():
        from eip_site.reviews.models import Closure, Term
        closure_id = db.session.scalar(select(Closure.id))
        term_id = db.session.scalar(select(Term.id))
    assert head.post(f"/admin/terms/term/{term_id}/remove").status_code == 422
    assert head.post(f"/admin/terms/closure/{closure_id}/remove").status_code == 303
    assert sign_in(app, cluster["teacher"]).get("/admin/terms").status_code == 403


def test_people_who_can_lead_training_are_suggested_for_each_area(app, cluster):
    with app.app_context():
        from eip_site.directory.models import Skill, UserSkill
        phonics = db.session.scalar(select(Skill.id).where(Skill.name == "Phonics"))
        trainer = factories.user(school_obj=db.session.get(factories.School, cluster["third"]),
                                 name="Priya Phonics")
        insider = factories.user(school_obj=db.session.get(factories.School, cluster["host"]),
                                 name="Host Phonics")
        db.session.add_all([UserSkill(user_id=trainer.id, skill_id=phonics, relation="train"),
                            UserSkill(user_id=insider.id, skill_id=phonics, relation="train")])
        db.session.commit()
        review = factories.review(host=db.session.get(factories.School, cluster["host"]),
                                  state="feedback", summary="s",
                                  to_develop="Consistency in phonics teaching\nSomething else").id
    page = sign_in(app, cluster["head"]).get(f"/reviews/{review}").get_data(as_text=True)
    helpers = page.split("Who could help with the areas for development")[1]
    assert "Priya Phonics" in helpers and "can lead training in Phonics" in helpers
    assert "Host Phonics" not in helpers  # their own school is not who they need


def test_the_personal_feed_carries_the_meetings_of_my_networks(app, cluster):
    from datetime import time

    from eip_site.networks import lifecycle, meetings

    with app.app_context():
        leader = factories.user(name="Lee Leader")
        lead = factories.user(roles={"lead"})
        network = lifecycle.propose_network(actor=leader, name="Transitions", purpose="Moves.",
                                            is_open=True)
        lifecycle.decide_proposal(actor=lead, network=network, sponsor=True, comment="",
                                  critical_friend_id=lead.id)
        day = date.today() + timedelta(days=10)
        published = meetings.create_meeting(actor=leader, network=network, day=day,
                                            start=time(16), end=time(17),
                                            school_id=leader.school_id)
        meetings.publish_agenda(actor=leader, meeting=published)
        meetings.create_meeting(actor=leader, network=network, day=day + timedelta(days=7),
                                start=time(16), end=time(17), school_id=leader.school_id)
        db.session.commit()
        leader_id = leader.id
    client = sign_in(app, leader_id)
    page = client.get("/reviews/availability").get_data(as_text=True)
    path = page.split('id="feed-url" type="text" readonly value="')[1].split('"')[0] \
        .split("localhost", 1)[1]
    events = Calendar.from_ical(app.test_client().get(path).data).walk("VEVENT")
    assert [str(e["summary"]) for e in events] == ["Transitions network meeting"]  # not drafts
    assert events[0].decoded("dtstart").tzinfo is not None


def test_the_list_filters_combine(app, cluster):
    """Each filter, and filters together, narrow the list (each combination has its own
    statement, built once)."""
    from eip_site.reviews.models import Term
    with app.app_context():
        host, other = (db.session.get(School, cluster[k]) for k in ("host", "other"))
        reviewer = db.session.get(User, cluster["reviewers"][0])
        term = Term(name="Spring", start_date=date(2027, 1, 4), end_date=date(2027, 3, 26))
        db.session.add(term)
        factories.review(host=host, start=date(2027, 2, 1), state="confirmed", team=(reviewer,))
        factories.review(host=host, start=date(2027, 5, 3), state="confirmed")
        factories.review(host=other, start=date(2027, 2, 8), state="planned")
        db.session.commit()
        term_id = term.id
    client = sign_in(app, cluster["reviewers"][0])

    def found(query):
        page = client.get(f"/reviews/?{query}", headers={"HX-Request": "true"})
        return int(page.get_data(as_text=True).split(" review", 1)[0].rsplit(">", 1)[-1])

    assert found("") == 3
    assert found(f"term={term_id}") == 2 and found(f"school={cluster['host']}") == 2
    assert found("state=confirmed") == 2 and found("mine=1") == 1
    assert found(f"term={term_id}&school={cluster['host']}&state=confirmed") == 1
    assert found(f"term={term_id}&state=planned&mine=1") == 0
    assert found(f"school={cluster['other']}&state=planned") == 1
    assert found("term=99999") == 3  # a term that is not there filters nothing
