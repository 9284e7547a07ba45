"""The directory's ranking: every search is one statement of (person, name, level), paged by
level, then name and id.

A level stands for a score, best (lowest) first, and a person is at the best level of their
links: holders of a matched skill by relation rank × match weight, then those matched only
by name or job title; browsing and a skill area by the best strength, train, mentor,
experience, then none. Each statement is built once per shape of the filters (building and
keying one cost more than running a small one); the filters' values are its parameters:
school, phase, offer, pattern and phrase (the words, see ``People``), relations, skills,
categories and level0… (see ``levels``)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from itertools import groupby

from sqlalchemy import (
    Integer,
    String,
    and_,
    bindparam,
    case,
    func,
    literal,
    or_,
    select,
    union_all,
)

from .. import text_index
from ..people.models import School, User
from .matching import PART
from .models import Offer, Profile, Skill, UserSkill

RANK = {"train": 3, "mentor": 2, "experience": 1, "develop": 0}


@dataclass(frozen=True)
class People:
    """Which people filters are in use."""
    school: bool = False
    phase: bool = False
    offer: bool = False
    available: bool = False
    indexed: bool = False  # SQLite and words of 3 characters or more: see text_match
    fuzzy: bool = False  # the words spelt as in people's names too (a typo): see text_match
    short: bool = False  # a short search, matched as a whole word: see text_match

    def conditions(self, text: bool = False) -> list:
        people = [User.active.is_(True)]
        if self.school:
            people.append(User.school_id == bindparam("school"))
        if self.phase:
            people.append(User.school_id.in_(
                select(School.id).where(School.phase == bindparam("phase"))))
        if self.offer:
            people.append(User.id.in_(select(Offer.user_id).where(
                Offer.kind == bindparam("offer"))))
        if self.available:
            # Available now: offers not paused, and something to be available for, an offer
            # or a strength to lead training or mentor in (many list no offers).
            people += [~User.id.in_(select(Profile.user_id).where(
                Profile.offers_paused.is_(True))), or_(
                    select(Offer.user_id).where(Offer.user_id == User.id).exists(),
                    select(UserSkill.user_id).where(
                        UserSkill.user_id == User.id,
                        UserSkill.relation.in_(("train", "mentor"))).exists())]
        if text:
            people += self.text_match()
        return people

    def text_match(self) -> list:
        """Name or job title contains the words (parameter pattern), or, ``fuzzy``, their
        spelling in people's names (matching.NameWords); ``short``, as a whole word (word:
        "% sen %"). On SQLite the trigram table (text_index, migration 0010) first finds
        the candidates (phrase: one, or the two as "a" OR "b"), whose LIKE then decides as
        it did without it (~5 ms less for 10,000 people); its MATCH needs three
        characters, and on PostgreSQL trigram indexes serve LIKE itself. Each extra LIKE
        only where needed: one for every row cost ~0.5 ms of 10,000 names."""
        def says(column):
            said = text_index.contains(column, bindparam("pattern"))
            if self.fuzzy:
                said = or_(said, text_index.contains(column, bindparam("fuzzy")))
            if self.short:
                said = and_(said, text_index.contains(" " + column + " ", bindparam("word")))
            return said

        like = or_(says(User.name), says(User.job_title))
        if not self.indexed:
            return [like]
        return [User.id.in_(text_index.candidates("user", bindparam("phrase"))), like]


def levels(weights: dict[int, float], skills: list[int], relations: list[str]) -> list:
    """The "relation:skill" pairs in levels (parameters level0…), best first: by score,
    relation rank × match weight, pairs of equal score in one level; but a skill matched by
    a phrase within a longer search (Mathematics by "maths" of "maths mastery") after every
    other, whatever the relation: the skill the search names (Maths mastery) comes first."""
    scored = sorted((((weights[sid] == PART, -RANK[r] * weights[sid] * 10), f"{r}:{sid}")
                     for r in relations for sid in skills), key=lambda t: t[0])
    return [[pair for _score, pair in level] for _score, level in groupby(scored, lambda t: t[0])]


_NO_STRENGTH = 3  # train 0, mentor 1, experience 2; develop is a wish, not a strength
_STRENGTH_LEVEL = case(*[(UserSkill.relation == r, _NO_STRENGTH - n)
                         for r, n in RANK.items() if n], else_=_NO_STRENGTH)
_HELD = UserSkill.relation.in_(bindparam("relations", expanding=True))


@cache
def by_skills(people: People, count: int, with_text: bool, holders_match_words: bool):
    """Holders of the matched skills by their best pair's level (``count`` levels); then,
    ``with_text``, those matched only by name or job title. With one exact skill asked for
    and words too, only its holders whose name or job title match."""
    pair = UserSkill.relation + ":" + UserSkill.skill_id.cast(String)
    level = case(*[(pair.in_(bindparam(f"level{i}", expanding=True)), i)
                   for i in range(count)]) if count else literal(0)
    links = select(UserSkill.user_id, level.label("level")).where(
        UserSkill.skill_id.in_(bindparam("skills", expanding=True)), _HELD)
    return _from_links(people.conditions(text=holders_match_words), links,
                       (count, people.conditions(text=True)) if with_text else None)


@cache
def by_area(people: People, words: bool, others: bool):
    """A skill area chosen and no skill named: those holding a skill of the area, by their
    best strength in it; with words (that name no skill), the people they match, those with
    strengths in the area first, and, ``others``, the rest they match after them."""
    links = select(UserSkill.user_id, _STRENGTH_LEVEL.label("level")).where(
        _HELD, UserSkill.skill_id.in_(select(Skill.id).where(
            Skill.category_id.in_(bindparam("categories", expanding=True)))))
    matched = people.conditions(text=words)
    return _from_links(matched, links, (_NO_STRENGTH, matched) if others else None)


def _from_links(people: list, links, rest: tuple[int, list] | None):
    """Those who pass ``people`` among the ``links`` rows (person, level), each at their best
    level, and ``rest``: (level, conditions) of the others to page after them. Driven from
    the links, a few thousand at most, found by the skill index: joining all 10,000 people
    to their scores cost far more."""
    if len(people) > 1:  # a school or other filter: the links of the few people it leaves
        links = links.where(UserSkill.user_id.in_(select(User.id).where(*people)))
    if rest is not None:
        level, conditions = rest
        links = union_all(links, select(User.id, literal(level)).where(*conditions))
    found = links.subquery()
    user_id, level = found.c
    return select(User.id, User.name, func.min(level).label("level")) \
        .join(found, user_id == User.id).where(*people).group_by(User.id)


@cache
def browsing(people: People, words: bool, relations: tuple, strength_required: bool):
    """No skill searched (perhaps a name): everyone the filters leave, by the best strength
    each has in anything; with a strength chosen, only those who have it. Each
    person's strengths are looked up in the (person, relation) index: ~18 ms of SQLite's
    time for all 10,000 people, ~1 ms for a school (docs/architecture.md, Directory
    ranking)."""
    def holds(*held):
        return select(UserSkill.user_id).where(UserSkill.user_id == User.id,
                                               UserSkill.relation.in_(held)).exists()

    conditions = people.conditions(text=words)
    if strength_required:
        conditions.append(holds(*relations))
    ranked = sorted((r for r in relations if RANK[r]), key=RANK.get, reverse=True)
    level = case(*[(holds(r), _NO_STRENGTH - RANK[r]) for r in ranked],
                 else_=_NO_STRENGTH) if ranked else literal(_NO_STRENGTH)
    return select(User.id, User.name, level.label("level")).where(*conditions)


@cache
def paged(ranking):
    """A page (parameters limit and offset) of ``ranking`` with the total counted alongside."""
    ranked = ranking.subquery()
    return select(ranked.c.id, func.count().over().label("total")) \
        .order_by(ranked.c.level, ranked.c.name, ranked.c.id) \
        .limit(bindparam("limit", type_=Integer)).offset(bindparam("offset", type_=Integer))
