"""The strengths map: counts, gaps, links to the search, unmet searches, fixed query count."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from eip_site import clock
from eip_site.directory import strengths
from eip_site.directory.models import Skill, SkillCategory
from eip_site.extensions import db
from eip_site.people.models import Partnership

from .. import factories
from ..helpers import page_queries, sign_in


def give(user, vocab, **relations):
    """give(user, vocab, Phonics="train") – names with spaces via a dict."""
    for name, relation in relations.items():
        factories.user_skill(user, vocab[name.replace("_", " ")], relation)


@pytest.fixture
def cluster(app, vocab):
    """Two schools; Brook has a phonics trainer and a phonics mentor, Hill one with experience."""
    with app.app_context():
        brook = factories.school(name="Brook Infant")
        hill = factories.school(name="Hill Secondary", phase="secondary")
        closed = factories.school(name="Closed School", active=False)
        give(factories.user(school=brook), vocab, Phonics="train", Reading="mentor")
        give(factories.user(school=brook), vocab, Phonics="mentor", Reading="train")
        give(factories.user(school=hill), vocab, Phonics="experience", Mathematics="develop")
        give(factories.user(school=None), vocab, Phonics="train")       # partnership staff
        give(factories.user(school=closed), vocab, Phonics="train")     # school left
        give(factories.user(school=hill, active=False), vocab, Phonics="train")
        give(factories.user(school=hill, password=None), vocab, Phonics="train")  # invited
        db.session.commit()
        return {"brook": brook.id, "hill": hill.id, "closed": closed.id}


# --- The matrix ---------------------------------------------------------------------------

def test_skills_are_counted_per_school_with_a_partnership_total(app, cluster, vocab):
    with app.app_context():
        m = strengths.strengths_map("skills")
        assert [s.name for s in m.schools] == ["Brook Infant", "Hill Secondary"]
        rows = {r.name: r for r in m.rows}
        phonics = rows["Phonics"]
        brook = phonics.cell(cluster["brook"])
        assert (brook.train, brook.mentor, brook.experience, brook.level) == (1, 1, 0, 2)
        hill = phonics.cell(cluster["hill"])
        assert (hill.train, hill.mentor, hill.experience, hill.level) == (1, 0, 1, 2)
        # The partnership total adds partnership staff and imported or invited staff who
        # have not signed in yet; leavers and closed schools are not counted.
        assert (phonics.total.train, phonics.total.mentor, phonics.total.experience) == (3, 1, 1)
        assert not phonics.gap
        assert rows["Mathematics"].gap  # "wants to develop" is not a strength
        assert rows["Mathematics"].cell(cluster["hill"]).people == 0
        assert m.groups[0].name == "Curriculum subjects"
        assert len(m.gaps) == len(m.rows) - 2
        assert phonics.search == {"skill": str(phonics.id)}


def test_categories_count_each_person_once_at_their_strongest(app, cluster):
    with app.app_context():
        m = strengths.strengths_map("categories")
        assert len(m.groups) == 1 and m.groups[0].name is None
        curriculum = next(r for r in m.rows if r.name == "Curriculum subjects")
        brook = curriculum.cell(cluster["brook"])
        # Both Brook people can train in something: each counts once, as a trainer.
        assert (brook.train, brook.mentor, brook.experience) == (2, 0, 0)
        assert curriculum.total.people == 5
        assert curriculum.search == {"category": "curriculum"}
        assert next(r for r in m.rows if r.name == "Early years").gap
        assert strengths.strengths_map("nonsense").view == "skills"


def test_suggested_skills_are_not_on_the_map(app, vocab):
    with app.app_context():
        category = db.session.scalar(select(SkillCategory).where(SkillCategory.slug == "send"))
        factories.skill("Unapproved thing", category=category, status="suggested")
        db.session.commit()
        assert "Unapproved thing" not in [r.name for r in strengths.strengths_map().rows]


@pytest.mark.parametrize("people, lvl", [(0, 0), (1, 1), (2, 2), (4, 2), (5, 3), (500, 3)])
def test_levels(people, lvl):
    assert strengths.level(people) == lvl


def test_the_academic_year_for_search_misses():
    year = clock.today().year
    assert strengths.academic_year_start(date(year, 2, 1), 9) == f"{year - 1}-09"
    assert strengths.academic_year_start(date(year, 9, 1), 9) == f"{year}-09"
    assert strengths.Miss("x", 3, f"{year}-11").month_label == f"November {year}"
    assert strengths.Miss("x", 3, "bad").month_label == "bad"


# --- The page -----------------------------------------------------------------------------

def test_the_map_is_an_accessible_table_whose_cells_link_to_the_search(app, client, cluster):
    sign_in(client)
    response = client.get("/directory/strengths")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert body.count("<h1") == 1 and "<title>Strengths map –" in body
    assert '<div class="table-wrap strengths-wrap" tabindex="0" role="region"' in body
    # Columns: the skill, Brook, Hill, the viewer's own school, the partnership.
    assert "<caption>" in body
    assert '<th scope="rowgroup" colspan="5">Curriculum subjects</th>' in body
    assert '<th scope="col">Brook Infant</th>' in body and "Closed School" not in body
    assert '<th scope="row">Mathematics <span class="tag tag-gap">Gap</span></th>' in body
    assert '<th scope="row">Phonics</th>' in body

    # Numbers in words and a shade whose meaning is written in the key.
    cell = re.search(r'<td class="strength strength-2">(.*?)</td>', body).group(1)
    assert '<span class="strength-line">1 train</span>' in cell
    assert '<span class="strength-line">1 mentor</span>' in cell
    assert "2 to 4 people" in body and "No one" in body

    # The cell's link is the directory search for that skill at that school: same people.
    href = re.search(r'href="([^"]+)"', cell).group(1).replace("&amp;", "&")
    url = urlsplit(href)
    assert url.path == "/directory/"
    assert parse_qs(url.query)["school"] == [str(cluster["brook"])]
    assert set(parse_qs(url.query)) == {"skill", "school"}  # exactly that skill
    found = client.get(href).get_data(as_text=True)
    assert "2 people found" in found

    # Empty cells are not links (a search for nobody would count as unmet demand).
    assert "Searches that found nobody" not in body
    gap_row = re.search(r'<tr id="row-(\d+)" class="strength-gap">\s*<th scope="row">Mathematics'
                        r'.*?</tr>', body, re.S)
    assert "href" not in gap_row.group(0)
    # The gaps are named above the table, each a link to its row (the table is 100+ rows).
    gaps = re.search(r'<ul class="strengths-gaps" aria-labelledby="gaps-heading">(.*?)</ul>',
                     body, re.S).group(1)
    assert f'<a href="#row-{gap_row.group(1)}">Mathematics</a>' in gaps
    assert ">Phonics</a>" not in gaps


def test_the_category_view_links_by_skill_area(app, client, cluster):
    sign_in(client)
    body = client.get("/directory/strengths?view=categories").get_data(as_text=True)
    assert 'aria-current="page">By skill area</a>' in body
    hrefs = [h.replace("&amp;", "&") for h in re.findall(r'href="(/directory/\?[^"]+)"', body)]
    queries = [parse_qs(urlsplit(h).query) for h in hrefs]
    assert {"category": ["curriculum"], "school": [str(cluster["brook"])]} in queries
    assert {"category": ["curriculum"]} in queries  # the partnership total
    assert client.get("/directory/strengths?view=%3Cscript%3E").status_code == 200


def test_leads_see_this_years_searches_that_found_nobody(app, client, vocab):
    with app.app_context():
        start = Partnership.current().year_start_month
        since = strengths.academic_year_start(clock.today(), start)
        year = int(since[:4])
        factories.search_miss("forest school", month=since, count=2)
        factories.search_miss("forest school", month=f"{year + 1}-01", count=3)
        factories.search_miss("<b>latin</b> 🌈", month=since, count=4)
        factories.search_miss("old news", month=f"{year - 1}-10", count=99)
        db.session.commit()
    sign_in(client)
    assert "Searches that found nobody" not in client.get("/directory/strengths").get_data(
        as_text=True)
    sign_in(client, roles={"lead"})
    body = client.get("/directory/strengths").get_data(as_text=True)
    assert "Searches that found nobody" in body
    rows = re.findall(r'<tr><th scope="row"><a href="/directory/\?q=[^"]+">(.*?)</a></th>'
                      r'<td class="numeric">(\d+)</td><td>(.*?)</td>', body)
    first_month = strengths.Miss("", 0, since).month_label
    assert rows == [("forest school", "5", f"January {year + 1}"),
                    ("&lt;b&gt;latin&lt;/b&gt; 🌈", "4", first_month)]


def test_the_page_runs_a_fixed_number_of_queries(app, client, vocab):
    lead = sign_in(client, roles={"lead"})

    def queries_for(path):
        return page_queries(app, client, path)

    def grow(schools: int, people: int, skills: list[str]):
        with app.app_context():
            category_id = db.session.scalar(select(SkillCategory.id))
            for name in skills:
                factories.skill(name, category=category_id)
            ids = list(db.session.scalars(select(Skill.id)))
            for s in range(schools):
                school = factories.school()
                for p in range(people):
                    user = factories.user(school=school)
                    for k, relation in enumerate(("train", "mentor", "experience", "develop")):
                        factories.user_skill(user, ids[(s * 7 + p * 3 + k) % len(ids)],
                                             relation)
            factories.search_miss(f"miss {schools}")
            db.session.commit()

    grow(1, 2, [])
    small = queries_for("/directory/strengths"), queries_for("/directory/strengths?view=categories")
    grow(6, 8, [f"Extra skill {n}" for n in range(15)])
    assert (queries_for("/directory/strengths"),
            queries_for("/directory/strengths?view=categories")) == small
    assert lead
