"""Searches are remembered under the people stamp, their vocabulary under the vocabulary stamp
(data_version): a repeated search reads nothing but the stamps, and any change to what a
search shows, however it is made, is seen by the next search."""

from __future__ import annotations

from sqlalchemy import event, select, text

from eip_site.directory import queries
from eip_site.directory.models import UserSkill
from eip_site.extensions import db
from eip_site.people.models import User

from .. import factories
from ..helpers import sign_in


def _stamp():
    return db.session.scalar(text("SELECT stamp FROM data_version WHERE name = 'people'"))


def _names(**filters) -> list[str]:
    return [r.user.name for r in queries.search(queries.Filters(**filters)).results]


def test_a_repeated_search_reads_only_the_stamp(app, vocab):
    with app.app_context():
        person = factories.user(name="Ada Phonics")
        factories.user_skill(person, vocab["Phonics"], "train")
        db.session.commit()
        assert _names(q="phonics") == ["Ada Phonics"]
        seen = []
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert _names(q="phonics") == ["Ada Phonics"]
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        assert len(seen) == 1 and "data_version" in seen[0]


def test_every_change_a_search_shows_renews_the_stamp(app, vocab):
    with app.app_context():
        school = factories.school(name="Elm Primary")
        ada = factories.user(name="Ada", school=school)
        bob = factories.user(name="Bob", school=school)
        factories.user_skill(ada, vocab["Phonics"], "train")
        db.session.commit()
        assert _names(q="phonics") == ["Ada"]

        # Through the ORM: a new link, then its relation.
        factories.user_skill(bob, vocab["Phonics"], "mentor")
        db.session.commit()
        assert _names(q="phonics") == ["Ada", "Bob"]
        db.session.execute(text("UPDATE user_skill SET relation = 'train' WHERE user_id = :u"),
                           {"u": bob.id})
        db.session.commit()
        assert _names(q="phonics", relation="mentor") == []

        # Plain SQL, as a script would: a name, a job title, a deactivation.
        db.session.execute(text('UPDATE "user" SET name = :n WHERE id = :u'),
                           {"n": "Ada Lovelace", "u": ada.id})
        db.session.commit()
        assert _names(q="phonics") == ["Ada Lovelace", "Bob"]
        db.session.execute(text('UPDATE "user" SET job_title = :t WHERE id = :u'),
                           {"t": "Head of maths", "u": bob.id})
        db.session.commit()
        assert _names(q="head of maths") == ["Bob"]
        db.session.execute(text('UPDATE "user" SET active = :f WHERE id = :u'),
                           {"f": False, "u": bob.id})
        db.session.commit()
        assert _names(q="phonics") == ["Ada Lovelace"]

        # Offers and pausing them; a school's name on the results.
        factories.offer(ada, "coaching")
        db.session.commit()
        assert _names(q="phonics", offer="coaching") == ["Ada Lovelace"]
        factories.profile(ada, offers_paused=True)
        db.session.commit()
        assert _names(q="phonics", available=True) == []
        db.session.execute(text("UPDATE school SET name = 'Oak Primary' WHERE id = :s"),
                           {"s": school.id})
        db.session.commit()
        found = queries.search(queries.Filters(q="phonics"))
        assert [r.user.school_name for r in found.results] == ["Oak Primary"]

        # Deleting a link.
        db.session.execute(text("DELETE FROM user_skill"))
        db.session.commit()
        assert _names(q="phonics") == []


def test_a_change_to_the_vocabulary_is_seen_by_the_next_search(app, vocab):
    with app.app_context():
        ada = factories.user(name="Ada")
        db.session.add(UserSkill(user_id=ada.id, skill_id=vocab["Phonics"], relation="train"))
        db.session.commit()
        assert _names(q="zebracorn") == []

        # Plain SQL, as a script would: a synonym, the skill's approval, an area's name.
        db.session.execute(text("UPDATE skill SET synonyms = 'zebracorn' WHERE id = :s"),
                           {"s": vocab["Phonics"]})
        db.session.commit()
        assert _names(q="zebracorn") == ["Ada"]
        db.session.execute(text("UPDATE skill SET status = 'suggested' WHERE id = :s"),
                           {"s": vocab["Phonics"]})
        db.session.commit()
        assert _names(q="zebracorn") == []
        db.session.execute(text("UPDATE skill_category SET name = 'Subjects' "
                                "WHERE slug = 'curriculum'"))
        db.session.commit()
        assert "Subjects" in [c.name for c in queries.search_vocabulary().categories]


def test_signing_in_keeps_the_stamp(app, client, vocab):
    with app.app_context():
        email = factories.user(name="Ada").email
        db.session.commit()
        before = _stamp()
    response = client.post("/login", data={"email": email, "password": factories.PASSWORD})
    assert response.status_code == 303
    with app.app_context():
        assert db.session.scalar(select(User.last_login_at)) is not None
        assert _stamp() == before


def test_the_directory_page_lists_a_renamed_school(app, client):
    sign_in(client)
    with app.app_context():
        school_id = factories.school(name="Elm Primary").id
        db.session.commit()
    assert "Elm Primary" in client.get("/directory/").get_data(as_text=True)
    with app.app_context():
        db.session.execute(text("UPDATE school SET name = 'Oak Primary' WHERE id = :s"),
                           {"s": school_id})
        db.session.commit()
    page = client.get("/directory/").get_data(as_text=True)
    assert "Oak Primary" in page and "Elm Primary" not in page


def test_a_search_inside_a_changing_transaction_is_not_kept_past_its_later_changes(app, vocab):
    with app.app_context():
        ada, bob = factories.user(name="Ada"), factories.user(name="Bob")
        factories.user_skill(ada, vocab["Phonics"], "train")
        assert _names(q="phonics") == ["Ada"]  # read between two changes, not yet committed
        factories.user_skill(bob, vocab["Phonics"], "train")
        db.session.commit()
        assert _names(q="phonics") == ["Ada", "Bob"]


def test_skill_counts_count_active_people_only(app, vocab):
    with app.app_context():
        ada, bob = factories.user(name="Ada"), factories.user(name="Bob", active=False)
        for person in (ada, bob):
            factories.user_skill(person, vocab["Phonics"], "train")
        factories.user_skill(bob, vocab["Geography"], "mentor")
        db.session.commit()
        assert queries.skill_counts() == {vocab["Phonics"]: 1}
        stamp = _stamp()
        assert queries.skill_counts(stamp) == {vocab["Phonics"]: 1}
        db.session.execute(text('UPDATE "user" SET active = :t WHERE id = :u'),
                           {"t": True, "u": bob.id})
        db.session.commit()
        assert queries.skill_counts(_stamp()) == {vocab["Phonics"]: 2, vocab["Geography"]: 1}
