import pytest

from eip_site.directory.matching import (
    build_terms,
    edit_distance,
    match_skills,
    nearest_skills,
    normalise,
)
from eip_site.seeds.vocabulary import VOCABULARY

SKILLS = [(i, name, syns) for i, (name, syns) in enumerate(
    (s for _, (_, skills) in VOCABULARY.items() for s in skills), start=1)]
NAMES = {i: name for i, name, _ in SKILLS}
TERMS = build_terms(SKILLS)


def top(query):
    found = match_skills(query, TERMS)
    return NAMES[found[0].skill_id] if found else None


@pytest.mark.parametrize("query, skill", [
    ("phonics", "Phonics"),
    ("phonix", "Phonics"),
    ("Phonics", "Phonics"),
    ("behavour", "Behaviour management"),
    ("behaviour", "Behaviour management"),
    ("disadvantged", "Pupil premium"),
    ("disadvantaged", "Pupil premium"),
    ("PP", "Pupil premium"),
    ("pupil premium", "Pupil premium"),
    ("SEN", "SEND coordination"),
    ("send", "SEND coordination"),
    ("G&T", "More able pupils"),
    ("more able", "More able pupils"),
    ("NQT", "Early career teachers"),
    ("ECT", "Early career teachers"),
    ("EAL", "English as an additional language"),
    ("SLT", "Senior leadership"),
    ("KS2", "KS2 SATs"),
    ("EYFS", "EYFS curriculum"),
    ("maths mastery", "Maths mastery"),
    ("autsim", "Autism"),
    ("safegaurding", "Safeguarding"),
])
def test_searches_find_the_skill_people_mean(query, skill):
    assert top(query) == skill


@pytest.mark.parametrize("query", ["", "   ", "%", "_", "'\"", "🌈", "x" * 2000, "Łódź", "<script>"])
def test_odd_input_never_errors(query):
    match_skills(query, TERMS)
    nearest_skills(query, TERMS)


def test_matches_say_why():
    (first, *_) = match_skills("phonix", TERMS)
    assert first.because == "Phonics"
    (pp, *_) = match_skills("disadvantaged", TERMS)
    assert pp.because == "disadvantaged"


def test_nonsense_finds_nothing_but_nearest_skills_suggest_something():
    assert match_skills("quantum origami", TERMS) == []
    assert nearest_skills("phonetics", TERMS)


def test_normalise_and_distance():
    assert normalise("  Ünïcödé, G&T! ") == "unicode g&t"
    assert edit_distance("phonix", "phonics", 2) == 2
    assert edit_distance("autsim", "autism", 1) == 1  # a transposition is one edit
    assert edit_distance("abc", "xyzabc", 2) == 3
