"""The directory's ranking, one statement a search, gives exactly what the plain
rule gives: holders of a matched skill by their best link (relation rank × match weight;
a skill matched by a phrase within a longer search after the others), then by name and id;
then, with no strength chosen, those matched only by name or job title (a short search by
a whole word, a typo by the names' spelling), by name and id."""

from __future__ import annotations

import random

from sqlalchemy import select

from eip_site.directory import queries
from eip_site.directory.matching import PART, NameWords
from eip_site.directory.models import RELATIONS, Skill, UserSkill
from eip_site.extensions import db
from eip_site.people.models import User

from .. import factories

SEARCHES = ["phonics", "reading", "behavour", "maths", "science", "lead", "ab", "bea",
            "maths lead", "abel lea", "catto"]


def _reference(filters: queries.Filters, vocab, people: dict[int, User],
               links: list[tuple[int, int, str]], names: dict[int, str]):
    """(ids of the page, total, page number, {id: [(skill name, relation)]}) by the rule."""
    exact = vocab.skills.get(filters.skill) if filters.skill else None
    matches = [queries.Match(exact.id, 1.0, exact.name)] if exact else vocab.match(filters.q)
    weights = {m.skill_id: m.score for m in matches}
    relations = [filters.relation] if filters.relation else ["train", "mentor", "experience"]
    words = filters.q.strip().lower()
    fuzzy = None if matches and matches[0].score >= 0.85 else NameWords(
        (u.name, u.job_title) for u in people.values() if u.active).corrected(words)

    def allowed(u: User) -> bool:
        return u.active and (not filters.school or u.school_id == filters.school)

    def says(u: User) -> bool:
        return any(any(w in text and (len(words) > 3 or f" {w} " in f" {text} ")
                       for w in (words, fuzzy) if w)
                   for text in (u.name.lower(), (u.job_title or "").lower()))

    best: dict[int, float] = {}
    if not weights:  # browsing, or words that name no skill: by strength in anything
        for uid, u in people.items():
            if allowed(u) and (not words or says(u)):
                held = [queries.RANK[r] for u_id, _s, r in links if u_id == uid and r in relations]
                if held or not filters.relation:
                    best[uid] = max(held, default=0)
        order = sorted(best, key=lambda uid: (-best[uid], people[uid].name, uid))
        page = max(1, min(filters.page, -(-len(order) // queries.PER_PAGE)))
        ids = order[(page - 1) * queries.PER_PAGE:page * queries.PER_PAGE]
        return ids, len(order), page, {uid: [] for uid in ids}
    for user_id, skill_id, relation in links:
        if skill_id in weights and relation in relations and allowed(people[user_id]):
            score = queries.RANK[relation] * weights[skill_id] * 10
            score -= 100 * (weights[skill_id] == PART)
            best[user_id] = max(best.get(user_id, score), score)
    if exact is not None and words:
        best = {uid: s for uid, s in best.items() if says(people[uid])}
    order = sorted(best, key=lambda uid: (-best[uid], people[uid].name, uid))
    if exact is None and not filters.relation:
        order += sorted((uid for uid, u in people.items()
                         if allowed(u) and says(u) and uid not in best),
                        key=lambda uid: (people[uid].name, uid))
    total = len(order)
    page = max(1, min(filters.page, -(-total // queries.PER_PAGE)))
    ids = order[(page - 1) * queries.PER_PAGE:page * queries.PER_PAGE]
    why = {}
    for uid in ids:
        mine = sorted(((s, r) for u, s, r in links if u == uid and s in weights
                       and (r == filters.relation or not filters.relation)),
                      key=lambda t: (-queries.RANK[t[1]] * weights[t[0]], names[t[0]]))
        why[uid] = [(names[s], r) for s, r in mine[:4]]
    return ids, total, page, why


def test_the_ranking_matches_the_plain_rule_on_random_data(app, vocab, monkeypatch):
    monkeypatch.setattr(queries, "PER_PAGE", 7)
    rng = random.Random(20261125)
    with app.app_context():
        schools = [factories.school() for _ in range(3)]
        skills = [vocab[n] for n in ("Phonics", "Early reading", "Behaviour management",
                                     "Maths mastery", "Science")
                  if n in vocab] or list(vocab.values())[:5]
        skills += rng.sample(sorted(set(vocab.values()) - set(skills)), 5)
        people = []
        for n in range(90):
            # One word names (ties on purpose) sort alike in every database's collation.
            name = rng.choice(["Abel", "Bea", "Cato", "Dina", "Eli", "Fay", "Gus", "Hal"])
            name += rng.choice(["", "ab", "lead"]) if n % 4 else ""
            people.append(factories.user(
                name=name, email=f"p{n}@order.example", school=rng.choice(schools),
                active=rng.random() > 0.1, password=None,
                job_title=rng.choice(["Teacher", "Reading lead", "Maths lead",
                                      "Phonics champion", ""])))
        for person in people:
            for skill_id in rng.sample(skills, rng.randint(0, 4)):
                factories.user_skill(person, skill_id, rng.choice(list(RELATIONS)))
        db.session.commit()

        by_id = {u.id: u for u in db.session.scalars(select(User))}
        links = [tuple(r) for r in db.session.execute(
            select(UserSkill.user_id, UserSkill.skill_id, UserSkill.relation))]
        names = dict(db.session.execute(select(Skill.id, Skill.name)).all())
        vocabulary = queries.search_vocabulary()
        checked = 0
        for q in ["", *SEARCHES]:
            for school in (None, schools[0].id):
                for relation in ("", "train", "experience"):
                    for page in (1, 2, 3, 99):
                        filters = queries.Filters(q=q, school=school, relation=relation,
                                                  page=page)
                        found = queries.search(filters)
                        ids, total, page_no, why = _reference(filters, vocabulary, by_id,
                                                              links, names)
                        assert ([r.user.id for r in found.results], found.page.total,
                                found.page.page) == (ids, total, page_no), filters
                        assert {r.user.id: [(l.skill_name, l.relation) for l in r.matched]
                                for r in found.results} == why, filters
                        checked += bool(ids)
        for skill_id in skills[:3]:
            for q in ("", "ab"):
                filters = queries.Filters(q=q, skill=skill_id)
                found = queries.search(filters)
                ids, total, page_no, _ = _reference(filters, vocabulary, by_id, links, names)
                assert ([r.user.id for r in found.results], found.page.total) == (ids, total)
        assert checked > 100  # the searches found people: the comparison was not empty
