"""Spreading reviews across people: the picker shows each candidate's reviews this academic
year and the partnership's yearly limit, and an accepted rota proposes whole teams (trained
and confirmed, free, not of the host school, the fewest reviews first)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from eip_site.errors import DomainError
from eip_site.extensions import db
from eip_site.people.models import Partnership
from eip_site.reviews import queries, services
from eip_site.reviews.models import Review

from .. import factories
from ..helpers import monday, sign_in


def _same_year(start):
    """A day a week from ``start`` in the same academic year (September to August)."""
    later = start + timedelta(days=7)
    return later if Partnership(year_start_month=9).year_of(later) == \
        Partnership(year_start_month=9).year_of(start) else start - timedelta(days=7)


def _book(world, start, host="host"):
    review = services.create_review(
        actor=world.get("champion"), host_school=world.get(host), focus="To what extent?",
        focus_area="curriculum", start_date=start, days=1)
    db.session.flush()
    return review


def test_the_picker_counts_each_candidates_reviews_and_stops_those_at_the_limit(app, client,
                                                                                  world):
    start = monday(6)
    with app.app_context():
        rita, raj, _rosa, _ravi = world.get("reviewers")
        factories.review(host=world["birch"], start=_same_year(start), days=1,
                         team=(rita, raj, world.get("champion")), state="confirmed")
        factories.review(host=world["birch"], start=start + timedelta(days=400), days=1,
                         team=(raj,), state="confirmed")  # another year: not counted
        factories.review(host=world["birch"], start=_same_year(start) + timedelta(days=1),
                         days=1, team=(rita,), state="cancelled")  # cancelled: not counted
        review = _book(world, start)
        db.session.commit()
        review_id = review.id
        shown = {c.name: c.reviews for c in queries.candidates(review)[0]}
    assert shown["Rita Reviewer"] == 1 and shown["Raj Reviewer"] == 1
    assert shown["Rosa Reviewer"] == 0

    sign_in(client, world["champion"])
    page = client.get(f"/reviews/{review_id}").get_data(as_text=True)
    assert "Reviews this year" in page and "At the yearly limit" not in page
    rita_id = world["reviewers"][0]
    row = re.search(f'id="reviewer-{rita_id}".*?</tr>', page, re.DOTALL).group(0)
    assert f'id="reviews-{rita_id}">1<' in row and "disabled" not in row

    with app.app_context():  # the lead sets a limit of one review a year
        factories.partnership(max_reviews_per_year=1)
        db.session.commit()
    page = client.get(f"/reviews/{review_id}").get_data(as_text=True)
    assert "Nobody joins more than 1 review a year." in page
    row = re.search(f'id="reviewer-{rita_id}".*?</tr>', page, re.DOTALL).group(0)
    assert "disabled" in row and "At the yearly limit" in row
    lead_select = page.split('id="lead"')[1].split("</select>")[0]
    assert "Rita Reviewer" not in lead_select and "Rosa Reviewer" in lead_select
    # A forged choice is refused by the service, beside the field.
    r = world["reviewers"]
    forged = client.post(f"/reviews/{review_id}/team",
                         data={"lead": r[2], "reviewers": [r[0], r[3]]})
    assert forged.status_code == 422
    assert b"Rita Reviewer is already on 1 review this academic year" in forged.data
    with app.app_context():
        factories.qualification(world["teacher"])
        db.session.commit()
    ok = client.post(f"/reviews/{review_id}/team",
                     data={"lead": r[2], "reviewers": [r[3], world["teacher"]]})
    assert ok.status_code == 303
    # Once on the team, the limit does not push them off it when the team is changed.
    with app.app_context():
        db.session.get(Partnership, 1).max_reviews_per_year = 1
        factories.review(host=world["ash"], start=_same_year(start), days=1,
                         team=(world.get("teacher"),), state="confirmed")
        db.session.commit()
        review = db.session.get(Review, review_id)
        services.set_team(actor=world.get("champion"), review=review, lead=world.get("teacher"),
                          reviewers=world.get("reviewers")[2:4])
        db.session.commit()


def test_the_team_picker_counts_with_one_grouped_query_whatever_the_reviews(app, client, world):
    from ..helpers import page_queries
    start = monday(6)
    with app.app_context():
        review_id = _book(world, start).id
        db.session.commit()
    sign_in(client, world["champion"])

    def fill(first, n):
        with app.app_context():
            people = world.get("reviewers")
            for i in range(first, first + n):
                factories.review(host=factories.school(), start=start + timedelta(days=30 + i),
                                 days=1, team=(people[i % 4],), state="closed")
            db.session.commit()
    fill(0, 2)
    few = page_queries(app, client, f"/reviews/{review_id}")
    fill(2, 30)
    assert page_queries(app, client, f"/reviews/{review_id}") == few


def _cedar(world):
    cedar = factories.school(name="Cedar")
    factories.reviewer(school=cedar, name="Cy Cedar")
    factories.reviewer(school=cedar, name="Col Cedar")
    factories.reviewer(school=world.get("host"), name="Hal Host")
    db.session.flush()
    return cedar


def test_a_team_is_proposed_from_the_rota_schools_fewest_reviews_first(ctx, world):
    from eip_site.reviews.scheduling import make_rota
    from eip_site.reviews.services.rota import accept_rota

    cedar = _cedar(world)
    schools = [world["host"], world["ash"], world["birch"], cedar.id]
    start = monday(6)
    rita, _raj, _rosa, ravi = world.get("reviewers")
    factories.review(host=factories.school(), start=_same_year(start), days=1,
                     team=(world.get("champion"), rita), state="closed")
    # Ravi is away on the first review day; Tom Teacher ticked his training, not confirmed.
    services.set_unavailable(actor=ravi, day=start, available=False)
    factories.qualification(world.get("teacher"), confirmed=False)
    db.session.commit()
    visits = make_rota(schools, 3, avoid_reciprocal=False)
    starts = {v.host: start + timedelta(days=7 * i) for i, v in enumerate(visits)}
    reviews = accept_rota(actor=world.get("lead"), visits=visits, starts=starts, days=1,
                          focus_area="curriculum", avoid_reciprocal=False, propose_teams=True)
    db.session.commit()
    teams = {r.host_school.name: [m.user.name for m in r.members] for r in reviews}
    # Host Primary, reviewed by Ash, Birch and Cedar: Raj (none this year, where Rita and
    # Cara have one), Rosa (Ravi is away), Col (by name, before Cy).
    assert teams["Host Primary"] == ["Raj Reviewer", "Rosa Reviewer", "Col Cedar"]
    assert all(len(t) == 3 for t in teams.values())
    assert all(r.state == "proposed" for r in reviews)
    assert "Tom Teacher" not in {n for t in teams.values() for n in t}
    # Nobody reviews their own school, and the load spreads: Ash sends three people in all,
    # and Rita, who had a review already, is the one who does not go.
    for r in reviews:
        assert all(m.user.school_id != r.host_school_id for m in r.members)
    ash = [n for t in teams.values() for n in t if n in ("Rita Reviewer", "Raj Reviewer",
                                                         "Cara Champion")]
    assert sorted(ash) == ["Cara Champion", "Raj Reviewer", "Raj Reviewer"]
    assert teams["Ash"][2] == "Hal Host"  # before Ian Insider, by name, both on none


def test_a_school_with_nobody_free_leaves_the_team_to_the_picker(ctx, world):
    from eip_site.reviews.services.rota import propose_team

    review = _book(world, monday(6))
    empty = factories.school(name="Elm")
    assert propose_team(actor=world.get("lead"), review=review,
                        schools=(world["ash"], world["birch"], empty.id)) == []
    assert review.state == "planned" and not review.members
    assert "No trained reviewer is free on these days at: Elm" in review.notes


def test_the_rota_asks_for_teams_of_three_to_five(client, world):
    sign_in(client, world["lead"])
    settings = {"schools": [world["host"], world["ash"], world["birch"]], "per_review": "1",
                "focus_area": "pedagogy", "days": "1", "action": "propose"}
    one = client.post("/reviews/rota", data=settings)
    assert one.status_code == 422
    assert b"A review team has 3 to 5 people: a lead reviewer and 2 to 4 reviewers." in one.data
    form = client.get("/reviews/rota").get_data(as_text=True)
    assert '<option value="1"' not in form.split('id="per_review"')[1].split("</select>")[0]


def test_set_team_still_needs_two_reviewers_besides_the_lead(ctx, world):
    review = _book(world, monday(6))
    r = world.get("reviewers")
    with pytest.raises(DomainError, match="2 to 4 reviewers"):
        services.set_team(actor=world.get("champion"), review=review, lead=r[0],
                          reviewers=[r[2]])
    assert db.session.scalars(select(Review).where(Review.id == review.id)).one().state == \
        "planned"


def test_a_lead_sets_the_yearly_limit_or_leaves_it_blank(app, client, world):
    sign_in(client, world["lead"])
    page = client.get("/admin/partnership").get_data(as_text=True)
    assert "Most reviews one person joins in a year" in page
    data = {"name": "Kingsmere", "year_start_month": "9"}
    for bad in ("0", "abc"):
        refused = client.post("/admin/partnership", data={**data, "max_reviews_per_year": bad})
        assert refused.status_code == 422
        assert b'id="max_reviews_per_year-error"' in refused.data
    assert client.post("/admin/partnership", data={**data, "max_reviews_per_year": "3"}
                       ).status_code == 303
    with app.app_context():
        assert db.session.get(Partnership, 1).max_reviews_per_year == 3
        version = db.session.get(Partnership, 1).version
    assert client.post("/admin/partnership", data={**data, "max_reviews_per_year": "",
                                                   "version": version}).status_code == 303
    with app.app_context():
        assert db.session.get(Partnership, 1).max_reviews_per_year is None
