"""The directory's order on the demo partnership, pinned: each search below gives exactly
the pages it gave when the ranking was read level by level (search_demo.json), so a new way
of ranking is proven to give the same people, in the same order, with the same matched
skills and totals, on SQLite and PostgreSQL alike (the demo's names differ in ways that
sort alike under byte order, which both test databases use)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from eip_site.seeds import demo
from eip_site.directory import queries
from eip_site.directory.models import Skill
from eip_site.extensions import db
from eip_site.people.models import School

EXPECTED = Path(__file__).with_name("search_demo.json")

# (label, filters); "school" and "skill" are named, and looked up in the demo's data.
CASES = [
    ("browse", {}),
    ("browse p3", {"page": 3}),
    ("browse past the end", {"page": 99}),
    ("browse train", {"relation": "train"}),
    ("browse experience in a school", {"relation": "experience", "school": "Kingsmere Academy"}),
    ("browse primary, coaching offered", {"phase": "primary", "offer": "coaching"}),
    ("browse available", {"available": True}),
    ("phonics", {"q": "phonics"}),
    ("phonics p2", {"q": "phonics", "page": 2}),
    ("phonics mentor", {"q": "phonics", "relation": "mentor"}),
    ("reading", {"q": "reading"}),
    ("reading p3", {"q": "reading", "page": 3}),
    ("typo", {"q": "behavour"}),
    ("maths in a school", {"q": "maths", "school": "Oakfield Primary School"}),
    ("teacher: skills and job titles", {"q": "teacher"}),
    ("teacher p2", {"q": "teacher", "page": 2}),
    ("teacher p4", {"q": "teacher", "page": 4}),
    ("send", {"q": "send"}),
    ("a name", {"q": "okafor"}),
    ("a job title", {"q": "head"}),
    ("nobody", {"q": "chess club"}),
    ("area", {"category": "send"}),
    ("area p2", {"category": "send", "page": 2}),
    ("area and train", {"category": "behaviour", "relation": "train"}),
    ("area and a name", {"category": "send", "q": "teacher"}),
    ("area and a skill of it", {"category": "send", "q": "autism"}),
    ("area and a skill of another", {"category": "send", "q": "phonics"}),
    ("exact skill", {"skill": "Phonics"}),
    ("exact skill and words", {"skill": "Phonics", "q": "year"}),
    ("exact skill in a phase", {"skill": "Reading", "phase": "infant"}),
    ("available coaching", {"q": "reading", "available": True, "offer": "coaching"}),
    ("exact skill past the end", {"skill": "Phonics", "page": 5}),
    ("area past the end", {"category": "send", "page": 99}),
    # "Wants to develop" is no strength: its score is nought, yet it is a level of its own.
    ("browse develop", {"relation": "develop"}),
    ("browse develop with words", {"relation": "develop", "q": "teacher"}),
    ("phonics develop", {"q": "phonics", "relation": "develop"}),
    ("teacher develop", {"q": "teacher", "relation": "develop"}),
    ("area develop and a name", {"category": "send", "relation": "develop", "q": "teacher"}),
    ("area develop", {"category": "pastoral", "relation": "develop"}),
    # An acronym is a whole word; the skill the whole search names first; typos in names
    # and job titles; a strength chosen is that strength in the skill searched.
    ("an acronym", {"q": "SEN"}),
    ("a skill and one of its words", {"q": "maths mastery"}),
    ("a name misspelt", {"q": "Underwod"}),
    ("a full name misspelt", {"q": "Deepa Amhed"}),
    ("a job title misspelt", {"q": "teaching asistant"}),
    ("phonics train", {"q": "phonics", "relation": "train"}),
    ("a name and a strength", {"q": "underwood", "relation": "train"}),
]


def _filters(values: dict) -> queries.Filters:
    values = dict(values)
    if "school" in values:
        values["school"] = db.session.scalar(select(School.id).where(
            School.name == values["school"]))
    if "skill" in values:
        values["skill"] = db.session.scalar(select(Skill.id).where(Skill.name == values["skill"]))
    return queries.Filters(**values)


def _page(found: queries.Search, emails: dict[int, str]) -> dict:
    return {"total": found.page.total, "page": found.page.page,
            "people": [" ".join([emails[r.user.id], *(f"{l.skill_name}/{l.relation}"
                                                      for l in r.matched)])
                       for r in found.results]}


@pytest.fixture
def demo_data(app):
    with app.app_context():
        demo.seed()
        db.session.commit()
    yield


def test_the_demo_searches_give_the_pinned_pages(app, demo_data, monkeypatch):
    monkeypatch.setattr(queries, "PER_PAGE", 8)  # more pages, and more page edges, to check
    with app.app_context():
        from eip_site.people.models import User

        emails = dict(db.session.execute(select(User.id, User.email)).all())
        found = {label: _page(queries.search(_filters(values)), emails)
                 for label, values in CASES}
    expected = json.loads(EXPECTED.read_text())
    assert found.keys() == expected.keys()
    for label in expected:
        assert found[label] == expected[label], label
