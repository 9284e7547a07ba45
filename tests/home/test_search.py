"""Site-wide search: grouped results, only what the person may open, any input, fixed queries."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from eip_site.extensions import db
from eip_site.networks import agenda

from .. import factories
from ..helpers import days, page_queries, sign_in
from ..helpers import fragment as fragment_of


@pytest.fixture
def phonics(app, world):
    """What the searches look for, added to the world: Pat Phonics (Oakwood Primary) can lead
    training in phonics; Lena Leader's closed network Phonics leads has a draft meeting in
    five days with "Phonics screening check" on its agenda; a review of Oakwood found a
    confidential weakness. Otto Outsider is in none of it."""
    with app.app_context():
        vocab = factories.vocabulary()
        oak = factories.school(name="Oakwood Primary")
        factories.user_skill(factories.user(name="Pat Phonics", school=oak), vocab["Phonics"])
        shut = factories.network(name="Phonics leads", purpose="Reading.",
                                 leader=world.get("leader"), lead=world.get("lead"))
        draft = factories.meeting(shut, day=days(5))
        agenda.add_item(actor=shut.leader, meeting=draft, title="Phonics screening check")
        factories.review(host=oak, summary="Secret phonics weakness", state="feedback")
        db.session.commit()
        return {"network": shut.id}


def test_results_are_grouped_and_confidential_things_stay_hidden(app, client, world, phonics):
    sign_in(client, world["outsider"])
    page = client.get("/search?q=phonix").get_data(as_text=True)
    assert "<h2>People</h2>" in page and "Pat Phonics" in page  # a typo still finds them
    page = client.get("/search?q=phonics").get_data(as_text=True)
    assert "<h2>Networks</h2>" in page and "Phonics leads" in page
    assert "<h2>Meetings</h2>" not in page  # a draft of a closed network they are not in
    assert "Secret phonics weakness" not in page
    sign_in(client, world["leader"])
    leader = client.get("/search?q=screening").get_data(as_text=True)
    assert "<h2>Meetings</h2>" in leader and "Phonics leads network meeting" in leader
    sign_in(client, world["outsider"])
    oak = client.get("/search?q=oakwood").get_data(as_text=True)
    assert "Review of Oakwood Primary" in oak


@pytest.mark.parametrize("q", ["%", "_", "'\"", "x" * 2000, "🌈 <script>alert(1)</script>", ""])
def test_any_input_is_answered(app, client, world, phonics, q):
    sign_in(client, world["outsider"])
    response = client.get("/search", query_string={"q": q})
    assert response.status_code == 200
    assert b"<script>alert" not in response.data
    fragment = client.get("/search", query_string={"q": q}, headers={"HX-Request": "true"})
    assert fragment_of(fragment)[1].startswith('<div id="search-results">')


def test_search_runs_the_same_queries_on_small_and_larger_data(app, client, world, phonics):
    sign_in(client, world["outsider"])

    def count() -> int:
        return page_queries(app, client, "/search?q=phonics")

    client.get("/search?q=reading")  # the vocabulary read; "phonics" not yet remembered
    small = count()
    with app.app_context():
        for i in range(30):
            factories.review(host=factories.school(name=f"Phonics Academy {i}"), days=1)
        db.session.commit()
    assert count() == small


def test_agenda_titles_are_found_as_they_change(app, client, world, phonics):
    """On SQLite titles are matched through the FTS5 trigram table (text_index): it must
    follow every insert, rename and delete, and take % and _ literally."""
    from eip_site.networks.models import AgendaItem

    def found(q):
        sign_in(client, world["leader"])
        page = client.get("/search", query_string={"q": q})
        return "Phonics leads" in page.get_data(as_text=True).split("Meetings", 1)[-1]

    assert found("screening") and found("SCREENING check") and not found("moderation")
    with app.app_context():
        item = db.session.scalar(select(AgendaItem).where(AgendaItem.title.like("%screening%")))
        item.title = "Moderation of 100% writing_samples"
        db.session.commit()
        item_id = item.id
    assert not found("screening") and found("moderation")
    assert found("100% writing_s") and not found("100%%") and not found("writing-s")
    assert found("of")  # shorter than a trigram: read from the table itself
    with app.app_context():
        db.session.delete(db.session.get(AgendaItem, item_id))
        db.session.commit()
    assert not found("moderation")


def test_remembered_results_follow_every_change(app, client, world, phonics):
    """Networks, meetings and reviews found are remembered under the records stamp
    (data_version): whatever changes what a search shows, or who may see it, renews it."""

    def page(who, q):
        sign_in(client, world[who])
        return client.get("/search", query_string={"q": q}).get_data(as_text=True)

    assert "Phonics leads network meeting" not in page("outsider", "screening")  # a draft
    assert "Phonics leads network meeting" in page("leader", "screening")
    network_id = phonics["network"]
    with app.app_context():
        db.session.execute(text("UPDATE meeting SET state = 'published'"))
        db.session.commit()
    assert "Phonics leads network meeting" not in page("outsider", "screening")  # closed
    with app.app_context():
        factories.network_member(network_id, world["outsider"])
        db.session.commit()
    assert "Phonics leads network meeting" in page("outsider", "screening")
    with app.app_context():
        db.session.execute(text("UPDATE network SET name = 'Early reading' WHERE id = :n"),
                           {"n": network_id})
        db.session.execute(text("UPDATE review SET focus = 'How well is maths taught?'"))
        db.session.commit()
    found = page("leader", "early reading")
    assert "<h2>Networks</h2>" in found and "Early reading network meeting" in found
    assert "Phonics leads" not in page("leader", "phonics")
    assert "Review of Oakwood Primary" in page("leader", "maths taught")
