"""Review pages over HTTP: booking with errors beside the field, the race for one reviewer,
confidential findings, calendars, and query counts that do not grow with the data."""

from __future__ import annotations

import threading
from datetime import date, timedelta

from icalendar import Calendar
from sqlalchemy import func, select

from eip_site.extensions import db
from eip_site.reviews.models import Booking, Closure, Review, Term

from .. import factories
from ..helpers import days, monday, page_queries, sign_in
from ..helpers import fragment as fragment_of


def new_review(app, host: int, start: date, days: int = 1) -> int:
    with app.app_context():
        review_id = factories.review(host=host, start=start, days=days).id
        db.session.commit()
        return review_id


def test_booking_a_review_with_bad_input_shows_errors_beside_the_fields(app, client, world):
    sign_in(client, world["champion"])
    page = client.get("/reviews/new")
    assert page.status_code == 200 and b"Book a peer review" in page.data
    bad = client.post("/reviews/new", data={
        "host_school": world["host"], "focus": "x" * 10_000, "focus_area": "curriculum",
        "start_date": "31/02/2027", "days": "2"})
    assert bad.status_code == 422
    body = bad.get_data(as_text=True)
    assert "Keep the focus to 300 characters or fewer." in body
    assert "Enter a real date" in body
    assert "<title>Error: Book a peer review" in body
    past = client.post("/reviews/new", data={
        "host_school": world["host"], "focus": "<script>alert(1)</script> 🌈",
        "focus_area": "curriculum", "start_date": days(-7).isoformat(), "days": "1"})
    assert past.status_code == 422 and b"today or later" in past.data
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Review)) == 0
    good = client.post("/reviews/new", data={
        "host_school": world["host"], "focus": "<script>alert(1)</script> 🌈",
        "focus_area": "curriculum", "start_date": monday().isoformat(), "days": "1"})
    assert good.status_code == 303
    shown = client.get(good.headers["Location"]).get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; 🌈" in shown and "<script>alert" not in shown


def test_a_staff_member_cannot_book(client, world):
    sign_in(client, world["teacher"])
    assert client.get("/reviews/new").status_code == 403
    assert client.get("/reviews/").status_code == 200


def test_two_champions_racing_for_one_reviewer_get_one_success_and_one_named_refusal(
        app, world):
    """Two real requests at the same moment, each booking Rita Reviewer on the same day for
    reviews of two different schools: the unique key lets exactly one through."""
    day = monday(5)
    first = new_review(app, world["host"], day)
    with app.app_context():
        fourth = factories.school(name="Fourth").id
        second_champion = factories.user(roles={"champion"}, school=world["birch"]).id
        db.session.commit()
    second = new_review(app, fourth, day)
    r = world["reviewers"]
    clients = [app.test_client(), app.test_client()]
    sign_in(clients[0], world["champion"])
    sign_in(clients[1], second_champion)
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
    assert "Rita Reviewer is already booked on" in refusal or \
        "Rosa Reviewer is already booked on" in refusal
    with app.app_context():
        per_day = db.session.execute(select(Booking.user_id, func.count()).where(
            Booking.day == day).group_by(Booking.user_id)).all()
    assert all(count == 1 for _user, count in per_day)


def _staffed(app, world, state="data_shared") -> int:
    """A review of Host Primary with Rita (leading), Raj and Rosa Reviewer."""
    with app.app_context():
        review = factories.review(host=world["host"], team=tuple(world.get("reviewers")[:3]),
                                  state=state, went_well="Calm corridors",
                                  to_develop="Questioning", summary="Secret summary")
        db.session.commit()
        return review.id


def test_findings_are_hidden_from_a_teacher_at_another_school(app, client, world):
    review_id = _staffed(app, world)
    sign_in(client, world["teacher"])
    page = client.get(f"/reviews/{review_id}").get_data(as_text=True)
    assert "Secret summary" not in page and "Findings" not in page
    assert client.post(f"/reviews/{review_id}/findings",
                       data={"summary": "overwritten"}).status_code == 404
    cal = client.get(f"/reviews/{review_id}.ics")
    assert cal.status_code == 200 and b"Secret summary" not in cal.data
    sign_in(client, world["head"])
    head = client.get(f"/reviews/{review_id}").get_data(as_text=True)
    assert "Secret summary" in head
    sign_in(client, world["reviewers"][0])
    saved = client.post(f"/reviews/{review_id}/findings", data={
        "summary": "A new summary", "went_well": "", "to_develop": "",
        "version": str(_version(app, review_id))})
    assert saved.status_code == 303


def _version(app, review_id: int) -> int:
    with app.app_context():
        return db.session.get(Review, review_id).version


def test_a_stale_confirm_is_refused_with_409(app, client, world):
    review_id = _staffed(app, world, state="proposed")
    sign_in(client, world["head"])
    version = _version(app, review_id)
    assert client.post(f"/reviews/{review_id}/step", data={
        "to": "confirmed", "version": version}).status_code == 303
    again = client.post(f"/reviews/{review_id}/step",
                        data={"to": "confirmed", "version": version})
    assert again.status_code == 409
    assert b"Someone else changed this" in again.data


def test_the_ics_and_the_personal_feed_parse(app, client, world):
    review_id = _staffed(app, world, state="confirmed")
    sign_in(client, world["reviewers"][1])
    one = Calendar.from_ical(client.get(f"/reviews/{review_id}.ics").data)
    assert one.walk("VEVENT")[0]["summary"] == "Peer review: Host Primary"
    page = client.get("/reviews/availability").get_data(as_text=True)
    url = page.split('id="feed-url" type="text" readonly value="')[1].split('"')[0]
    path = url.split("localhost", 1)[1]
    anonymous = app.test_client()
    feed = Calendar.from_ical(anonymous.get(path).data)
    assert [str(e["summary"]) for e in feed.walk("VEVENT")] == ["Peer review: Host Primary"]
    assert client.post("/reviews/feed/reset").status_code == 303
    assert anonymous.get(path).status_code == 404


def test_the_list_answers_with_a_fragment_for_htmx(app, client, world):
    _staffed(app, world)
    sign_in(client, world["teacher"])
    full = client.get("/reviews/?state=data_shared")
    fragment = client.get("/reviews/?state=data_shared", headers={"HX-Request": "true"})
    assert b"<html" in full.data and b"<html" not in fragment.data
    assert fragment_of(fragment)[1].startswith('<div id="review-list">')
    assert b"1 review found" in fragment.data
    assert "HX-Request" in fragment.headers["Vary"]


def test_the_list_pages_and_a_page_past_the_end_shows_the_last(app, client, world):
    _fill(app, world, 30, teams=False)
    sign_in(client, world["teacher"])
    first = client.get("/reviews/").get_data(as_text=True)
    assert "30 reviews found" in first and first.count("<tr>") == 1 + 25
    last = client.get("/reviews/?page=999").get_data(as_text=True)
    assert "30 reviews found" in last and "page 2 of 2" in last
    assert last.count("<tr>") == 1 + 5  # the heading row and the last five reviews


def test_themes_show_findings_without_schools_and_follow_an_edit(app, client, world):
    with app.app_context():
        review = factories.review(host=world["host"], start=days(-40), state="feedback",
                                  focus_area="pedagogy",
                                  to_develop="- Questioning\n- Feedback in books")
        factories.review(host=world["birch"], start=days(-30), state="closed",
                         focus_area="pedagogy", to_develop="Questioning")
        factories.review(host=world["ash"], start=days(-20), state="closed",
                         focus_area="pedagogy", to_develop="Questioning")
        db.session.commit()
        review_id = review.id
    sign_in(client, world["teacher"])
    themes = client.get("/reviews/").get_data(as_text=True).split("Themes across")[1]
    assert "(3 reviews)" in themes and "<li>Questioning</li>" in themes
    assert themes.index("Questioning") < themes.index("Feedback in books")  # most common first
    assert "Host" not in themes
    with app.app_context():  # findings edited: the page shows the new ones at once
        db.session.get(Review, review_id).to_develop = "Reading for pleasure"
        db.session.commit()
    themes = client.get("/reviews/").get_data(as_text=True).split("Themes across")[1]
    assert "Reading for pleasure" in themes and "Feedback in books" not in themes


def _count(app, client, path: str) -> int:
    return page_queries(app, client, path)


def _fill(app, world, n: int, *, teams: bool) -> None:
    with app.app_context():
        schools = [factories.school() for _ in range(n)]
        people = world.get("reviewers")
        for i, school in enumerate(schools):
            factories.review(host=school, start=monday(2) + timedelta(days=i % 20),
                             team=(people[i],) if teams and i < 4 else (), state="confirmed")
        db.session.commit()


def test_review_pages_run_the_same_queries_on_10_and_on_100_reviews(app, client, world):
    review_id = _staffed(app, world)
    sign_in(client, world["head"])
    pages = ["/reviews/", "/reviews/?mine=1", f"/reviews/calendar?month={monday(2):%Y-%m}",
             f"/reviews/{review_id}"]
    def counts():
        """Each page just after the data changed (what it remembers is read again), then
        once more (remembered, see data_version)."""
        return {p: (_count(app, client, p), _count(app, client, p)) for p in pages}

    _fill(app, world, 10, teams=True)
    small = counts()
    _fill(app, world, 90, teams=False)
    assert counts() == small


def test_a_lead_proposes_a_rota_for_six_schools_and_accepts_it(app, client, world):
    schools = [world["host"], world["ash"], world["birch"]]
    with app.app_context():
        schools += [factories.school(name=f"Extra {i}").id for i in range(3)]
        db.session.commit()
    sign_in(client, world["lead"])
    assert client.get("/reviews/rota").status_code == 200
    settings = {"schools": schools, "per_review": "3", "focus_area": "pedagogy", "days": "1"}
    proposal = client.post("/reviews/rota", data={**settings, "action": "propose"})
    assert proposal.status_code == 200
    visits = [v.split('"')[0] for v in
              proposal.get_data(as_text=True).split('name="visit" value="')[1:]]
    assert len(visits) == 6
    impossible = client.post("/reviews/rota", data={**settings, "avoid_reciprocal": "y",
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
                                               "propose_teams": "y", **starts})
    assert done.status_code == 303
    with app.app_context():
        # The last school is reviewed by Host Primary, Ash and Birch, whose trained people
        # make its team; every other review needs someone from an extra school, which has
        # nobody trained, and is left for the picker.
        planned = db.session.scalars(select(Review).where(Review.state == "planned")).all()
        assert len(planned) == 5
        assert all("No trained reviewer is free on these days at: Extra" in r.notes
                   for r in planned)
        staffed = db.session.scalars(select(Review).where(Review.state == "proposed")).one()
        assert staffed.host_school.name == "Extra 2" and len(staffed.members) == 3


def test_terms_and_closures(app, client, world):
    start, end = monday(4) + timedelta(days=1), monday(15) + timedelta(days=4)  # Tue to Fri
    sign_in(client, world["lead"])
    bad = client.post("/admin/terms", data={"form": "term", "term-name": "Next term",
                                            "term-start_date": end.isoformat(),
                                            "term-end_date": start.isoformat()})
    assert bad.status_code == 422 and b"The last day must be the same as or after" in bad.data
    ok = client.post("/admin/terms", data={"form": "term", "term-name": "Next term",
                                           "term-start_date": start.isoformat(),
                                           "term-end_date": end.isoformat()})
    assert ok.status_code == 303
    overlap = client.post("/admin/terms", data={"form": "term", "term-name": "Oops",
                                                "term-start_date": monday(13).isoformat(),
                                                "term-end_date": monday(17).isoformat()})
    assert overlap.status_code == 422 and b"overlap Next term" in overlap.data

    inset = {"closure-name": "INSET", "closure-kind": "inset",
             "closure-start_date": monday(4).isoformat(),
             "closure-end_date": monday(4).isoformat()}
    sign_in(client, world["head"])
    page = client.get("/admin/terms").get_data(as_text=True)
    assert "Every school" not in page.split("Add a holiday or closure")[1]
    theirs = client.post("/admin/terms", data={
        "form": "closure", "closure-school": world["ash"], **inset})
    assert theirs.status_code == 422 and b"their own school only" in theirs.data
    mine = client.post("/admin/terms", data={
        "form": "closure", "closure-school": world["host"], **inset})
    assert mine.status_code == 303
    with app.app_context():
        closure_id = db.session.scalar(select(Closure.id))
        term_id = db.session.scalar(select(Term.id))
    assert client.post(f"/admin/terms/term/{term_id}/remove").status_code == 422
    assert client.post(f"/admin/terms/closure/{closure_id}/remove").status_code == 303
    sign_in(client, world["teacher"])
    assert client.get("/admin/terms").status_code == 403


def test_people_who_can_lead_training_are_suggested_for_each_area(app, client, world):
    with app.app_context():
        phonics = factories.vocabulary()["Phonics"]
        trainer = factories.user(school=world["birch"], name="Priya Phonics")
        insider = factories.user(school=world["host"], name="Host Phonics")
        factories.user_skill(trainer, phonics, "train")
        factories.user_skill(insider, phonics, "train")
        review = factories.review(host=world["host"], state="feedback", summary="s",
                                  to_develop="Consistency in phonics teaching\nSomething else")
        db.session.commit()
        review_id = review.id
    sign_in(client, world["head"])
    page = client.get(f"/reviews/{review_id}").get_data(as_text=True)
    helpers = page.split("Who could help with the areas for development")[1]
    assert "Priya Phonics" in helpers and "can lead training in Phonics" in helpers
    assert "Host Phonics" not in helpers  # their own school is not who they need


def test_the_personal_feed_carries_the_meetings_of_my_networks(app, client):
    with app.app_context():
        network = factories.network(name="Transitions", is_open=True)
        factories.meeting(network, day=days(10), state="published")
        factories.meeting(network, day=days(17))  # a draft
        db.session.commit()
        leader_id = network.leader_id
    sign_in(client, leader_id)
    page = client.get("/reviews/availability").get_data(as_text=True)
    path = page.split('id="feed-url" type="text" readonly value="')[1].split('"')[0] \
        .split("localhost", 1)[1]
    events = Calendar.from_ical(app.test_client().get(path).data).walk("VEVENT")
    assert [str(e["summary"]) for e in events] == ["Transitions network meeting"]  # not drafts
    assert events[0].decoded("dtstart").tzinfo is not None


def test_the_list_filters_combine(app, client, world):
    """Each filter, and filters together, narrow the list (each combination has its own
    statement, built once)."""
    with app.app_context():
        term = factories.term(name="Spring", start=monday(4),
                              end=monday(16) - timedelta(days=3))
        factories.review(host=world["host"], start=monday(8), state="confirmed",
                         team=(world.get("reviewers")[0],))
        factories.review(host=world["host"], start=monday(20), state="confirmed")
        factories.review(host=world["birch"], start=monday(9), state="planned")
        db.session.commit()
        term_id = term.id
    sign_in(client, world["reviewers"][0])

    def found(query):
        page = client.get(f"/reviews/?{query}", headers={"HX-Request": "true"})
        return int(page.get_data(as_text=True).split(" review", 1)[0].rsplit(">", 1)[-1])

    assert found("") == 3
    assert found(f"term={term_id}") == 2 and found(f"school={world['host']}") == 2
    assert found("state=confirmed") == 2 and found("mine=1") == 1
    assert found(f"term={term_id}&school={world['host']}&state=confirmed") == 1
    assert found(f"term={term_id}&state=planned&mine=1") == 0
    assert found(f"school={world['birch']}&state=planned") == 1
    assert found("term=99999") == 3  # a term that is not there filters nothing


def test_a_safeguarding_concern_in_the_history_is_seen_only_by_those_who_see_the_findings(
        app, client, world):
    """The history line about findings ("with a safeguarding concern") is confidential: the
    host head, the team and leads read it; staff of other schools and other champions do not
    see that findings were recorded at all."""
    review_id = _staffed(app, world)
    sign_in(client, world["reviewers"][0])
    saved = client.post(f"/reviews/{review_id}/findings", data={
        "summary": "Summary", "went_well": "", "to_develop": "", "safeguarding": "y",
        "version": str(_version(app, review_id))})
    assert saved.status_code == 303
    with app.app_context():
        outsider_head = factories.user(roles={"head"}, school=world["birch"]).id
        db.session.commit()
    for who in (world["teacher"], world["champion"], world["other_head"], outsider_head):
        sign_in(client, who)
        page = client.get(f"/reviews/{review_id}")
        assert page.status_code == 200
        body = page.get_data(as_text=True)
        assert "safeguarding" not in body.lower() and "Findings recorded" not in body, who
    for who in (world["reviewers"][1], world["head"], world["lead"]):
        sign_in(client, who)
        body = client.get(f"/reviews/{review_id}").get_data(as_text=True)
        assert "Findings recorded with a safeguarding concern" in body, who
