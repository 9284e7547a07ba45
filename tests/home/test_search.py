"""Site-wide search: grouped results, only what the person may open, any input, fixed queries."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from eip_site.directory.models import UserSkill
from eip_site.extensions import db
from eip_site.networks import agenda, lifecycle, meetings
from eip_site.seeds.vocabulary import install_default_vocabulary

from .. import factories
from ..helpers import page_queries, sign_in


@pytest.fixture
def world(app):
    with app.app_context():
        install_default_vocabulary(db.session.connection())
        db.session.commit()
        from eip_site.directory.models import Skill
        from sqlalchemy import select
        phonics = db.session.scalar(select(Skill.id).where(Skill.name == "Phonics"))
        oak = factories.school(name="Oakwood Primary")
        expert = factories.user(name="Pat Phonics", school_obj=oak)
        db.session.add(UserSkill(user_id=expert.id, skill_id=phonics, relation="train"))
        outsider = factories.user(name="Olive Outsider")
        leader, lead = factories.user(name="Lee Leader"), factories.user(roles={"lead"})
        shut = lifecycle.propose_network(actor=leader, name="Phonics leads", purpose="Reading.",
                                         is_open=False)
        lifecycle.decide_proposal(actor=lead, network=shut, sponsor=True, comment="",
                                  critical_friend_id=lead.id)
        draft = meetings.create_meeting(actor=leader, network=shut,
                                        day=date.today() + timedelta(days=5), start=time(16),
                                        end=time(17), school_id=leader.school_id)
        agenda.add_item(actor=leader, meeting=draft, title="Phonics screening check")
        factories.review(host=oak, summary="Secret phonics weakness", state="feedback")
        db.session.commit()
        return {"outsider": outsider.id, "leader": leader.id}


def test_results_are_grouped_and_confidential_things_stay_hidden(app, world):
    page = sign_in(app, world["outsider"]).get("/search?q=phonix").get_data(as_text=True)
    assert "<h2>People</h2>" in page and "Pat Phonics" in page  # a typo still finds them
    page = sign_in(app, world["outsider"]).get("/search?q=phonics").get_data(as_text=True)
    assert "<h2>Networks</h2>" in page and "Phonics leads" in page
    assert "<h2>Meetings</h2>" not in page  # a draft of a closed network they are not in
    assert "Secret phonics weakness" not in page
    leader = sign_in(app, world["leader"]).get("/search?q=screening").get_data(as_text=True)
    assert "<h2>Meetings</h2>" in leader and "Phonics leads network meeting" in leader
    oak = sign_in(app, world["outsider"]).get("/search?q=oakwood").get_data(as_text=True)
    assert "Review of Oakwood Primary" in oak


@pytest.mark.parametrize("q", ["%", "_", "'\"", "x" * 2000, "🌈 <script>alert(1)</script>", ""])
def test_any_input_is_answered(app, world, q):
    client = sign_in(app, world["outsider"])
    response = client.get("/search", query_string={"q": q})
    assert response.status_code == 200
    assert b"<script>alert" not in response.data
    fragment = client.get("/search", query_string={"q": q}, headers={"HX-Request": "true"})
    assert fragment.data.lstrip().startswith(b'<div id="search-results">')


def test_search_runs_the_same_queries_on_small_and_larger_data(app, world):
    client = sign_in(app, world["outsider"])

    def count() -> int:
        return page_queries(app, client, "/search?q=phonics")

    client.get("/search?q=reading")  # the vocabulary read; "phonics" not yet remembered
    small = count()
    with app.app_context():
        for i in range(30):
            factories.review(host=factories.school(name=f"Phonics Academy {i}"), days=1)
    assert count() == small


def test_agenda_titles_are_found_as_they_change(app, world):
    """On SQLite titles are matched through the FTS5 trigram table (text_index): it must
    follow every insert, rename and delete, and take % and _ literally."""
    from eip_site.networks.models import AgendaItem
    from sqlalchemy import select

    def found(q):
        page = sign_in(app, world["leader"]).get("/search", query_string={"q": q})
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


def test_remembered_results_follow_every_change(app, world):
    """Networks, meetings and reviews found are remembered under the records stamp
    (data_version): whatever changes what a search shows, or who may see it, renews it."""
    from eip_site.networks.models import Network, NetworkMember
    from sqlalchemy import select, text

    def page(who, q):
        return sign_in(app, world[who]).get("/search", query_string={"q": q}) \
            .get_data(as_text=True)

    assert "Phonics leads network meeting" not in page("outsider", "screening")  # a draft
    assert "Phonics leads network meeting" in page("leader", "screening")
    with app.app_context():
        network_id = db.session.scalar(select(Network.id))
        db.session.execute(text("UPDATE meeting SET state = 'published'"))
        db.session.commit()
    assert "Phonics leads network meeting" not in page("outsider", "screening")  # closed
    with app.app_context():
        db.session.add(NetworkMember(network_id=network_id, user_id=world["outsider"],
                                     status="member"))
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
