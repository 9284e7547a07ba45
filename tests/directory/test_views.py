import pytest
from sqlalchemy import select

from eip_site.directory.models import SearchMiss, UserSkill
from eip_site.extensions import db

from .. import factories
from ..helpers import fragment as fragment_of
from ..helpers import sign_in


@pytest.fixture
def people(app, vocab):
    """A small partnership: two schools, people with phonics at different strengths."""
    with app.app_context():
        a, b = factories.school(name="Ash Primary"), factories.school(name="Birch Junior")
        made = {}
        for key, name, school, relation in [
            ("trainer", "Tara Trainer", a, "train"),
            ("mentor", "Mo Mentor", b, "mentor"),
            ("doer", "Ed Experience", a, "experience"),
            ("learner", "Lee Learner", b, "develop"),
        ]:
            user = factories.user(name=name, school=school, job_title="Teacher")
            factories.user_skill(user, vocab["Phonics"], relation)
            made[key] = user.id
        factories.offer(made["mentor"], "coaching")
        factories.profile(made["mentor"], show_email=False, offers_paused=False)
        db.session.commit()
        made["school_a"], made["school_b"] = a.id, b.id
        return made


def names_in(body: str) -> list[str]:
    import re
    return re.findall(r'class="result-name"><a href="/people/\d+">([^<]+)</a>', body)


def test_directory_needs_signing_in(client):
    assert client.get("/directory/").status_code == 303


def test_typo_finds_people_strongest_first_and_says_why(client, people):
    sign_in(client)
    body = client.get("/directory/?q=phonix").get_data(as_text=True)
    assert names_in(body) == ["Tara Trainer", "Mo Mentor", "Ed Experience"]
    assert "<mark>Phonics</mark> – can lead training" in body
    assert "3 people found for “phonix”" in body


def test_filters_narrow_the_results(client, people):
    sign_in(client)
    one_school = client.get(f"/directory/?q=phonics&school={people['school_a']}")
    assert names_in(one_school.get_data(as_text=True)) == ["Tara Trainer", "Ed Experience"]
    mentors = client.get("/directory/?q=phonics&relation=mentor").get_data(as_text=True)
    assert names_in(mentors) == ["Mo Mentor"]
    learners = client.get("/directory/?q=phonics&relation=develop").get_data(as_text=True)
    assert names_in(learners) == ["Lee Learner"]
    coaching = client.get("/directory/?offer=coaching").get_data(as_text=True)
    assert names_in(coaching) == ["Mo Mentor"]


def test_an_exact_skill_filter_finds_only_that_skill(client, people, vocab):
    sign_in(client)
    body = client.get(f"/directory/?skill={vocab['Phonics']}&school={people['school_a']}")
    text = body.get_data(as_text=True)
    assert names_in(text) == ["Tara Trainer", "Ed Experience"]
    assert "found with Phonics" in text
    assert client.get("/directory/?skill=999999").status_code == 200
    assert client.get("/directory/?skill=abc").status_code == 200


def test_names_and_job_titles_match_too(client, people):
    sign_in(client)
    assert names_in(client.get("/directory/?q=tara").get_data(as_text=True)) == ["Tara Trainer"]


def test_htmx_gets_the_results_fragment(client, people):
    sign_in(client)
    response = client.get("/directory/?q=phonics", headers={"HX-Request": "true"})
    title, body = fragment_of(response)
    assert title.startswith("phonics – Directory – ")
    assert body.startswith('<div id="results">') and "<html" not in body
    assert "HX-Request" in response.headers["Vary"]


@pytest.mark.parametrize("q", ["%", "_", "'", '"', "x" * 2000, "🌈🌈", "Łódź", "<script>alert(1)</script>",
                               "a%_b", "\\"])
def test_odd_searches_never_error(client, people, q):
    sign_in(client)
    response = client.get("/directory/", query_string={"q": q})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.get_data(as_text=True)


def test_a_search_that_finds_nobody_is_counted_without_personal_data(app, client, people):
    sign_in(client)
    body = client.get("/directory/?q=Hearing impairment").get_data(as_text=True)
    assert "No one found" in body
    client.get("/directory/?q=hearing  IMPAIRMENT")  # once a session
    other = app.test_client()
    sign_in(other)
    other.get("/directory/?q=hearing  IMPAIRMENT")
    with app.app_context():
        (miss,) = db.session.scalars(select(SearchMiss))
        assert (miss.term, miss.count) == ("hearing impairment", 2)


def test_nearest_skills_are_offered_when_nothing_matches(client, people):
    sign_in(client)
    body = client.get("/directory/?q=fonics").get_data(as_text=True)
    assert "Did you mean" in body and ">Phonics</a>" in body


def test_pages_past_the_end_show_the_last_page(client, people):
    sign_in(client)
    body = client.get("/directory/?q=phonics&page=999").get_data(as_text=True)
    assert len(names_in(body)) == 3


def test_profile_shows_strengths_and_hides_email_when_asked(client, people):
    sign_in(client)
    body = client.get(f"/people/{people['trainer']}").get_data(as_text=True)
    assert "Tara Trainer" in body and "Can lead training" in body
    hidden = client.get(f"/people/{people['mentor']}").get_data(as_text=True)
    assert "mailto:" not in hidden
    assert client.get("/people/999999").status_code == 404


def test_edit_own_profile_and_bad_input(app, client):
    me = sign_in(client)
    assert client.get("/profile/edit").status_code == 200
    ok = client.post("/profile/edit", data={"job_title": "Maths lead 🧮", "bio": "<b>hi</b>",
                                            "offers": ["advice"], "hours_per_term": "4",
                                            "phases": ["primary", "special"], "show_email": "y"})
    assert ok.status_code == 303 and ok.headers["Location"] == f"/people/{me}"
    form = client.get("/profile/edit").get_data(as_text=True)
    assert '<input checked class="checkbox-input" id="phases-3"' in form
    assert 'value="4"' in form and 'value="advice"' in form
    page = client.get(f"/people/{me}").get_data(as_text=True)
    assert "Maths lead 🧮" in page and "&lt;b&gt;hi&lt;/b&gt;" in page
    bad = client.post("/profile/edit", data={"hours_per_term": "-3", "bio": "x" * 5000})
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    assert "from 0 to 200" in text and "1,000 characters" in text
    wrong_type = client.post("/profile/edit", data={"hours_per_term": "abc"})
    assert wrong_type.status_code == 422
    text = wrong_type.get_data(as_text=True)
    assert "from 0 to 200" in text and "Not a valid integer" not in text
    forged = client.post("/profile/edit", data={"phases": ["primary", "martian"],
                                                "offers": ["bribes"], "qualifications": ["x"]})
    assert forged.status_code == 422
    assert forged.get_data(as_text=True).count("Choose one of the options listed.") >= 3
    assert "martian" not in client.get(f"/people/{me}").get_data(as_text=True)


def test_teachers_cannot_edit_others_but_heads_can_edit_their_staff(app, client, people):
    sign_in(client)
    assert client.get(f"/people/{people['trainer']}/edit").status_code == 403
    assert client.post(f"/people/{people['trainer']}/skills",
                       data={"skill": "Oracy", "relation": "train"}).status_code == 403
    sign_in(client, roles={"head"}, school=people["school_a"])
    assert client.get(f"/people/{people['trainer']}/edit").status_code == 200
    assert client.get(f"/people/{people['mentor']}/edit").status_code == 403


def test_skill_editing_with_htmx_and_undo(app, client, vocab):
    me = sign_in(client)
    hx = {"HX-Request": "true"}
    added = client.post(f"/people/{me}/skills", data={"skill": "oracy", "relation": "mentor"},
                        headers=hx)
    assert added.status_code == 200 and 'id="skills"' in added.get_data(as_text=True)
    changed = client.post(f"/people/{me}/skills/{vocab['Oracy']}", data={"relation": "train"},
                          headers=hx)
    assert 'value="train" selected' in changed.get_data(as_text=True)
    removed = client.post(f"/people/{me}/skills/{vocab['Oracy']}/remove", headers=hx)
    body = removed.get_data(as_text=True)
    assert "Oracy removed." in body and "Undo" in body
    assert 'name="relation" value="train"' in body  # undo restores the relation
    client.post(f"/people/{me}/skills", data={"skill": "Oracy", "relation": "train"}, headers=hx)
    with app.app_context():
        assert db.session.get(UserSkill, (me, vocab["Oracy"])).relation == "train"
    unknown = client.post(f"/people/{me}/skills", data={"skill": "Juggling", "relation": "train"},
                          headers=hx)
    assert unknown.status_code == 422 and "not in the skills list" in unknown.get_data(as_text=True)


def test_skill_editing_without_javascript(client, vocab):
    me = sign_in(client)
    added = client.post(f"/people/{me}/skills", data={"skill": "Oracy", "relation": "mentor"})
    assert added.status_code == 303 and added.headers["Location"].endswith("/edit#skills")
    bad = client.post(f"/people/{me}/skills", data={"skill": "", "relation": "mentor"})
    assert bad.status_code == 422 and "Enter a skill to add." in bad.get_data(as_text=True)
    removed = client.post(f"/people/{me}/skills/{vocab['Oracy']}/remove")
    assert removed.status_code == 303


def test_confirming_a_profile(client):
    me = sign_in(client)
    assert "Is your profile still correct?" in client.get(f"/people/{me}").get_data(as_text=True)
    client.post(f"/people/{me}/confirm")
    assert "Is your profile still correct?" not in client.get(f"/people/{me}").get_data(
        as_text=True)


def test_vocabulary_suggest_approve_and_merge(app, client, vocab):
    sign_in(client)
    page = client.get("/skills/").get_data(as_text=True)
    assert "Phonics" in page and "letters and sounds" in page
    with app.app_context():
        from eip_site.directory.models import Skill
        category = db.session.get(Skill, vocab["Phonics"]).category_id
    suggested = client.post("/skills/suggest", data={"name": "Chess club", "category_id": category})
    assert suggested.status_code == 303
    dup = client.post("/skills/suggest", data={"name": "phonics", "category_id": category})
    assert dup.status_code == 422 and "already in the skills list" in dup.get_data(as_text=True)
    empty = client.post("/skills/suggest", data={"name": "", "category_id": ""})
    assert empty.status_code == 422
    with app.app_context():
        from eip_site.directory.models import Skill
        chess = db.session.scalar(select(Skill).where(Skill.name == "Chess club"))
        chess_id, version = chess.id, chess.version
    assert client.get(f"/skills/{chess_id}").status_code == 403
    sign_in(client, roles={"lead"})
    assert "Chess club" in client.get("/skills/").get_data(as_text=True)
    saved = client.post(f"/skills/{chess_id}", data={"name": "Chess", "category_id": category,
                                                     "synonyms": "chess club", "approve": "y",
                                                     "version": version})
    assert saved.status_code == 303
    merged = client.post(f"/skills/{chess_id}/merge", data={"into": vocab["Oracy"]})
    assert merged.status_code == 303
    with app.app_context():
        from eip_site.directory.models import Skill
        assert db.session.get(Skill, chess_id) is None
        assert "Chess" in db.session.get(Skill, vocab["Oracy"]).synonym_list
    nothing = client.post(f"/skills/{vocab['Oracy']}/merge", data={"into": ""})
    assert nothing.status_code == 422


def test_a_lead_turns_down_a_suggestion_from_its_page(app, client, vocab):
    sign_in(client)
    with app.app_context():
        from eip_site.directory.models import Skill
        category = db.session.get(Skill, vocab["Phonics"]).category_id
    client.post("/skills/suggest", data={"name": "🦄 unicorns", "category_id": category})
    with app.app_context():
        from eip_site.directory.models import Skill
        junk_id = db.session.scalar(select(Skill.id).where(Skill.name == "🦄 unicorns"))
    assert client.post(f"/skills/{junk_id}/reject", data={}).status_code == 403
    sign_in(client, roles={"lead"})
    page = client.get(f"/skills/{junk_id}").get_data(as_text=True)
    assert "Turn down this suggestion" in page
    approved = client.get(f"/skills/{vocab['Oracy']}").get_data(as_text=True)
    assert "Turn down this suggestion" not in approved
    long = client.post(f"/skills/{junk_id}/reject", data={"reason": "x" * 501})
    assert long.status_code == 422 and "500 characters or fewer" in long.get_data(as_text=True)
    done = client.post(f"/skills/{junk_id}/reject", data={"reason": "Not a teaching skill."})
    assert done.status_code == 303 and done.headers["Location"].endswith("/skills/")
    assert "turned down" in client.get("/skills/").get_data(as_text=True)
    with app.app_context():
        from eip_site.directory.models import Skill
        assert db.session.get(Skill, junk_id) is None
    assert client.post(f"/skills/{junk_id}/reject", data={}).status_code == 404
    clash = client.post(f"/skills/{vocab['Oracy']}", data={
        "name": "Oracy", "category_id": category, "synonyms": "SSP", "approve": "y"})
    body = clash.get_data(as_text=True)
    assert clash.status_code == 422 and "another name for “Phonics”" in body


def test_a_search_sees_vocabulary_changes_at_once(app, client, people, vocab):
    """The process keeps its matching terms between searches, but checks them every time:
    a synonym added or a skill withdrawn anywhere (here by plain SQL) counts immediately."""
    from eip_site.directory.models import Skill

    sign_in(client)
    assert names_in(client.get("/directory/?q=zebracorn").get_data(as_text=True)) == []
    with app.app_context():
        db.session.execute(Skill.__table__.update().where(Skill.id == vocab["Phonics"])
                           .values(synonyms="zebracorn sounds"))
        db.session.commit()
    found = client.get("/directory/?q=zebracorn").get_data(as_text=True)
    assert names_in(found) == ["Tara Trainer", "Mo Mentor", "Ed Experience"]
    assert "(matched “zebracorn sounds”)" in found
    with app.app_context():
        db.session.execute(Skill.__table__.update().where(Skill.id == vocab["Phonics"])
                           .values(status="suggested"))
        db.session.commit()
    assert names_in(client.get("/directory/?q=zebracorn").get_data(as_text=True)) == []


def test_browsing_lists_the_strongest_first_then_by_name_page_by_page(
        app, client, people, vocab, monkeypatch):
    """Browsing reads one level at a time (train, mentor, experience, the rest): pages that
    start in one level and end in the next, and the last page, keep that order."""
    from eip_site.directory import queries

    with app.app_context():  # a second trainer, so a level spans pages
        extra = factories.user(name="Abe Able", job_title="Teacher")
        factories.user_skill(extra, vocab["Oracy"], "train")
        db.session.commit()
    sign_in(client, name="Zed Nobody")
    monkeypatch.setattr(queries, "PER_PAGE", 2)

    def page(query: str) -> list[str]:
        return names_in(client.get(f"/directory/?{query}").get_data(as_text=True))

    assert page("page=1") == ["Abe Able", "Tara Trainer"]
    assert page("page=2") == ["Mo Mentor", "Ed Experience"]
    assert page("page=3") == ["Lee Learner", "Zed Nobody"]
    assert page("page=9") == ["Lee Learner", "Zed Nobody"]
    assert "6 people in the directory" in client.get("/directory/").get_data(as_text=True)
    assert page("relation=develop") == ["Lee Learner"]
    assert page("relation=train&page=2") == ["Abe Able", "Tara Trainer"]
    assert page("q=each&page=2") == ["Mo Mentor", "Ed Experience"]  # names no skill
    assert page(f"school={people['school_b']}") == ["Mo Mentor", "Lee Learner"]


def test_words_find_names_and_job_titles_after_every_change(app, client, vocab):
    """On SQLite the words are looked up in a trigram table that triggers keep in step with
    the people; LIKE still decides, so case, quotes and short words behave as before."""
    sign_in(client, name="Zed Nobody")

    def found(q: str) -> list[str]:
        return names_in(client.get("/directory/", query_string={"q": q}).get_data(as_text=True))

    with app.app_context():
        person = factories.user(name="Quentin Blake", job_title='Art "lead"')
        person_id = person.id
        db.session.commit()
    assert found("quentin") == found("QUENTIN bl") == found('t "lea') == ["Quentin Blake"]
    # Too short to index, and a whole word only: "ed" is not in "Zed", nor "qu" in "Quentin".
    assert found("qu") == found("ed") == [] and found("zed") == ["Zed Nobody"]
    with app.app_context():
        db.session.get(type(person), person_id).name = "Émile Zola"
        db.session.commit()
        folds_accented = db.engine.dialect.name != "sqlite"
    assert found("quentin") == [] and found("mile zo") == ["Émile Zola"]
    # As before the index: SQLite's LIKE folds only ASCII letters, PostgreSQL's lower() all.
    assert found("émile") == (["Émile Zola"] if folds_accented else [])
    with app.app_context():
        db.session.delete(db.session.get(type(person), person_id))
        db.session.commit()
    assert found("zola") == []


def test_a_search_in_place_puts_its_words_on_the_tab(client, vocab):
    sign_in(client)
    fragment = client.get("/directory/?q=phonics", headers={"HX-Request": "true"})
    body = fragment.get_data(as_text=True)
    assert body.startswith("<title>phonics – Directory – ") and "<html" not in body
    hostile = client.get("/directory/?q=%3Cb%3Ex", headers={"HX-Request": "true"})
    assert hostile.get_data(as_text=True).startswith("<title>&lt;b&gt;x – Directory – ")
