"""What people found when they tried the directory's search on the demo partnership: an
acronym matches whole words, the skill a whole search names comes first, colleagues' names
and job titles forgive typos and say why they matched, each filter means its label, and
unmet demand counts what people settled on, never a keystroke or a colleague's name."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from eip_site.directory.models import Offer, SearchMiss, Skill, UserSkill
from eip_site.extensions import db
from eip_site.people.models import User
from eip_site.seeds import demo

from ..helpers import sign_in

HTMX = {"HX-Request": "true"}


@pytest.fixture
def demo_client(app, client):
    with app.app_context():
        demo.seed()
        db.session.execute(SearchMiss.__table__.delete())  # the demo's own, made up
        db.session.commit()
        lead = db.session.scalar(select(User.id).where(User.name == "Margaret Okafor"))
    sign_in(client, lead)
    return client


def results(client, **args) -> list[tuple[str, str, list[str], str]]:
    """(name, job title and school, matched skills as "Skill – relation", reason) a result."""
    body = client.get("/directory/", query_string=args).get_data(as_text=True)
    found = []
    for item in re.findall(r'<li class="result">(.*?)</li>\s*(?=<li class="result">|</ol>)',
                           body, re.S):
        name = re.search(r'class="result-name"><a [^>]+>([^<]+)</a>', item).group(1)
        meta = re.sub(r"\s+", " ", re.search(r'class="result-meta">(.*?)<', item, re.S).group(1))
        why = [re.sub(r"<[^>]+>", "", w).split(" (matched")[0].strip()
               for w in re.findall(r"<li>(.*?)</li>", item, re.S)]
        found.append((name, meta.strip(), why))
    return found


def names(client, **args) -> list[str]:
    return [r[0] for r in results(client, **args)]


def misses(app) -> dict[str, int]:
    with app.app_context():
        return {m.term: m.count for m in db.session.scalars(select(SearchMiss))}


# --- An acronym is a whole word; the skill the whole search names first (17.2) ---

def test_sen_finds_send_people_only(demo_client):
    found = results(demo_client, q="SEN")
    assert found and all(why and all(w.startswith("SEND coordination") for w in why)
                         for _n, _m, why in found), found
    assert not any("Sensory" in meta or "Senior" in meta for _n, meta, _w in found)


def test_a_skill_the_whole_search_names_ranks_above_one_of_its_words(demo_client):
    found = results(demo_client, q="maths mastery")
    skills = [why[0].split(" – ")[0] for _n, _m, why in found]
    assert skills[0] == "Maths mastery" and "Mathematics" in skills
    first_general = skills.index("Mathematics")
    assert set(skills[:first_general]) == {"Maths mastery"}
    assert set(skills[first_general:]) == {"Mathematics"}


# --- Names and job titles forgive typos, and say why they matched (17.3) ---

@pytest.mark.parametrize("q, person, because", [
    ("Hughs", "Farah Hughes", "Name matches “Hughes”"),
    ("Underwod", "Hannah Underwood", "Name matches “Underwood”"),
    ("Okafr", "Margaret Okafor", "Name matches “Okafor”"),
    ("Deepa Amhed", "Deepa Ahmed", "Name matches “Deepa Ahmed”"),
    ("teaching asistant", "Harvey Brown", "Job title: Teaching assistant"),
    ("okafor", "Margaret Okafor", "Name matches “Okafor”"),
])
def test_misspelt_names_and_job_titles_find_the_person_and_say_why(demo_client, q, person,
                                                                    because):
    found = {name: why for name, _m, why in results(demo_client, q=q)}
    assert found.get(person) == [because], found


def test_did_you_mean_offers_the_name_a_bigger_typo_looks_like(demo_client):
    body = demo_client.get("/directory/?q=Okfr").get_data(as_text=True)
    assert "No one found" in body and "Did you mean" in body
    assert re.search(r'<a href="[^"]*q=Okafor[^"]*">Okafor</a>', body)


# --- Each filter means its label, for the skill searched (17.4) ---

def test_can_lead_training_means_leading_training_in_the_skill_searched(app, demo_client):
    found = results(demo_client, q="phonics", relation="train")
    assert found and all(why and all(w.endswith("can lead training") for w in why)
                         for _n, _m, why in found), found
    with app.app_context():  # everyone who leads phonics training, and no one else
        trainers = set(db.session.scalars(
            select(User.name).join(UserSkill, UserSkill.user_id == User.id)
            .join(Skill, Skill.id == UserSkill.skill_id).where(
                UserSkill.relation == "train", User.active.is_(True),
                Skill.name.in_(("Phonics", "Phonics screening check")))))
    assert {n for n, _m, _w in found} == trainers


def test_available_now_counts_trainers_and_mentors_without_offers(app, demo_client):
    with app.app_context():
        offering = select(Offer.user_id)
        person = db.session.scalar(
            select(User.name).join(UserSkill, UserSkill.user_id == User.id).where(
                User.active.is_(True), UserSkill.relation == "train",
                User.id.not_in(offering)).order_by(User.name))
        nothing = db.session.scalar(select(User.name).where(
            User.active.is_(True), User.id.not_in(offering), User.id.not_in(
                select(UserSkill.user_id).where(UserSkill.relation.in_(("train", "mentor"))))))
    assert person
    every = [n for page in range(1, 8) for n in names(demo_client, available="y", page=page)]
    assert person in every
    assert nothing is None or nothing not in every


# --- Unmet demand: what people settled on, never a keystroke or a name (17.5) ---

def test_typing_records_nothing_until_the_results_stay(app, demo_client):
    for n in range(len("hearing i"), len("hearing impairment") + 1):
        response = demo_client.get("/directory/", query_string={"q": "hearing impairment"[:n]},
                                   headers=HTMX)
        assert "No one found" in response.get_data(as_text=True)
    assert misses(app) == {}
    # The last fragment asks, after a pause, for its words to be counted.
    body = response.get_data(as_text=True)
    assert 'hx-post="/directory/searched"' in body and "load delay:" in body
    assert '"q": "hearing impairment"' in body.replace("&#34;", '"')
    response = demo_client.post("/directory/searched", data={"q": "hearing impairment"})
    assert response.status_code == 204
    demo_client.post("/directory/searched", data={"q": "Hearing  impairment"})  # once a session
    assert misses(app) == {"hearing impairment": 1}


def test_a_page_load_that_finds_nobody_counts_once_a_session(app, demo_client):
    demo_client.get("/directory/?q=chess club")
    demo_client.get("/directory/?q=chess club")
    assert misses(app) == {"chess club": 1}


def test_names_and_filtered_searches_are_not_unmet_demand(app, demo_client):
    for q in ("Okafr", "Okfr", "Deepa Amhed"):
        demo_client.get("/directory/", query_string={"q": q, "relation": "develop"})
        demo_client.post("/directory/searched", data={"q": q})
    # Phonics in a school where nobody has it is no demand the partnership cannot meet.
    demo_client.get("/directory/", query_string={"q": "phonics", "relation": "develop",
                                                 "offer": "hosting"})
    assert misses(app) == {}
    assert demo_client.post("/directory/searched", data={"q": "x"}).status_code == 204


def test_only_the_signed_in_may_count_a_search(app):
    client = app.test_client()
    assert client.post("/directory/searched", data={"q": "chess"}).status_code in (302, 303)
    assert misses(app) == {}
