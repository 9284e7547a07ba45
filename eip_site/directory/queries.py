"""Reads for directory pages. A search is one ranking statement for 10 people or 10,000."""

from __future__ import annotations

from dataclasses import astuple, dataclass, field
from functools import cache, cached_property

from sqlalchemy import Row, bindparam, func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from .. import text_index
from ..data_version import Remembered, stamps
from ..extensions import db
from ..people.models import School, User
from ..people.queries import Page
from ..security import LEAD
from . import ranking
from .matching import SHORT, Match, NameWords, build_terms, match_skills, nearest_skills, normalise
from .models import (
    RELATIONS,
    STRENGTHS,
    VOUCHED_QUALIFICATIONS,
    Offer,
    Profile,
    Qualification,
    SearchMiss,
    Skill,
    SkillCategory,
    UserSkill,
)
from .ranking import RANK

PER_PAGE = 20


@dataclass
class Vocabulary:
    skills: dict[int, Skill]
    categories: list[SkillCategory]

    @cached_property
    def terms(self):
        return build_terms((s.id, s.name, s.synonym_list) for s in self.skills.values())

    def match(self, query: str) -> list[Match]:
        return match_skills(query, self.terms)

    def nearest(self, query: str) -> list[Match]:
        """For an empty result: the 20 entries that look most like the search."""
        return nearest_skills(query, self.terms, limit=20)

    def by_category(self) -> list[tuple[SkillCategory, list[Skill]]]:
        grouped: dict[int, list[Skill]] = {c.id: [] for c in self.categories}
        for skill in sorted(self.skills.values(), key=lambda s: s.name.lower()):
            grouped.setdefault(skill.category_id, []).append(skill)
        return [(c, grouped[c.id]) for c in self.categories]


def vocabulary(include_suggested: bool = False) -> Vocabulary:
    """Two queries: every skill (with its category joined) and the categories."""
    stmt = select(Skill)
    if not include_suggested:
        stmt = stmt.where(Skill.status == "approved")
    skills = {s.id: s for s in db.session.scalars(stmt)}
    categories = list(db.session.scalars(select(SkillCategory).order_by(SkillCategory.position)))
    return Vocabulary(skills, categories)


# --- The vocabulary a search matches against, kept between requests ---
# Loading ~110 skills as ORM objects and rebuilding ~370 matching terms cost more than the
# ranking query itself. So each process keeps them as plain values under the "vocabulary"
# stamp (data_version), which any change to a skill or a skill area renews, however it is
# made; a search reads that stamp with the people stamp, in one single-row query.

@dataclass(frozen=True)
class SkillName:
    """What a search shows of a skill: plain values, safe to share between requests."""
    id: int
    name: str
    category_id: int
    synonyms: str

    @property
    def synonym_list(self) -> list[str]:
        return [s for s in self.synonyms.split("|") if s]


@dataclass(frozen=True)
class CategoryName:
    id: int
    slug: str
    name: str
    position: int


class SearchVocabulary(Vocabulary):
    def __init__(self, skill_rows: list[tuple], category_rows: list[tuple]):
        super().__init__({r[0]: SkillName(*r) for r in skill_rows},
                         [CategoryName(*r) for r in category_rows])
        self.searches = Remembered()  # Search answers, under the people stamp
        self._by_text = Remembered()  # matches for a search text: this vocabulary's own

    def match(self, query: str) -> list[Match]:
        """Remembered per search text: typing the same words again is free."""
        return list(self._by_text.get("match", query, lambda: Vocabulary.match(self, query)))

    def nearest(self, query: str) -> list[Match]:
        """Remembered per search text: ~30 ms of fuzzy matching against every term."""
        return list(self._by_text.get("nearest", query,
                                      lambda: Vocabulary.nearest(self, query)))


_APPROVED_SKILLS = select(Skill.id, Skill.name, Skill.category_id, Skill.synonyms) \
    .where(Skill.status == "approved").order_by(Skill.id)
_CATEGORIES = select(SkillCategory.id, SkillCategory.slug, SkillCategory.name,
                     SkillCategory.position).order_by(SkillCategory.position, SkillCategory.id)
_SEARCH_VOCABULARY = Remembered(size=1)


def _read_search_vocabulary() -> SearchVocabulary:
    return SearchVocabulary([tuple(r) for r in _run(_APPROVED_SKILLS)],
                            [tuple(r) for r in _run(_CATEGORIES)])


def search_context() -> tuple[SearchVocabulary, str | None]:
    """The approved vocabulary for searching, and the stamp of the people data (see
    data_version) under which searches are remembered: one single-row query while nothing
    changed."""
    people, words = stamps("people", "vocabulary")
    return _SEARCH_VOCABULARY.get(words, "approved", _read_search_vocabulary), people


def search_vocabulary() -> SearchVocabulary:
    return search_context()[0]


@dataclass
class Filters:
    q: str = ""
    skill: int | None = None  # exactly this skill (links from the strengths map, profiles)
    school: int | None = None
    phase: str = ""
    category: str = ""
    offer: str = ""
    relation: str = ""
    available: bool = False
    page: int = 1


@dataclass(frozen=True)
class Link:
    """One of a person's skills, as a result shows it."""
    skill_id: int
    relation: str
    skill_name: str


@dataclass
class Result:
    user: Row  # id, name, job_title, school_name, offers_paused
    matched: list[Link] = field(default_factory=list)  # the skills that explain the match
    because: str = ""  # or the name or job title that did: "Name matches “Hughes”"


@dataclass
class Search:
    page: Page
    results: list[Result]
    matches: list[Match]
    nearest: list[Match]
    vocabulary: Vocabulary
    nearest_name: str | None = None  # for an empty result: the name the words look like


_CUSTOM_PLANS = text("SET LOCAL plan_cache_mode = force_custom_plan")


def search(filters: Filters, vocab: Vocabulary | None = None, stamp: str | None = None) -> Search:
    """People for the directory, best first: those who can train or mentor in the searched
    skill, then experience; names and job titles match too. Without ``vocab``, both it and
    the people ``stamp`` are read; under a stamp the same search is answered once a process
    (a vocabulary change starts afresh)."""
    if vocab is None:
        vocab, stamp = search_context()
    if isinstance(vocab, SearchVocabulary):
        return vocab.searches.get(stamp, astuple(filters),
                                  lambda: _search(filters, vocab, stamp))
    return _search(filters, vocab)


def _search(filters: Filters, vocab: Vocabulary, stamp: str | None = None) -> Search:
    if db.session.get_bind().dialect.name == "postgresql":
        # psycopg prepares a statement run often, and PostgreSQL then plans it once for all
        # values; the best plan here depends on them (how many hold the skills, which school):
        # one plan for all made a filtered search ~10 ms slower. Until the transaction ends.
        db.session.execute(_CUSTOM_PLANS)
    exact = vocab.skills.get(filters.skill) if filters.skill else None
    if exact is not None:
        matches = [Match(exact.id, 1.0, exact.name)]
    else:
        matches = vocab.match(filters.q) if filters.q.strip() else []
    weights = {m.skill_id: m.score for m in matches}
    category_ids = [c.id for c in vocab.categories if c.slug == filters.category]
    relations = [filters.relation] if filters.relation else list(STRENGTHS)
    words = bool(filters.q.strip())

    # The filters in use shape the statement (built once per shape); their values, and the
    # words as LIKE patterns and an FTS5 phrase (see People.text_match), are parameters.
    text = filters.q[:100]
    # Words that name a skill mean it (no colleague "Mathis" for "maths"): others may be a
    # name or job title misspelt.
    named = matches and matches[0].score >= 0.85
    fuzzy = name_words(stamp).corrected(text) if words and not named else None
    people = ranking.People(bool(filters.school), bool(filters.phase), bool(filters.offer),
                            filters.available, text_index.indexable(text), bool(fuzzy),
                            len(text.strip()) <= SHORT)
    params = {"school": filters.school, "phase": filters.phase, "offer": filters.offer,
              "pattern": text_index.substring_pattern(text),
              "fuzzy": text_index.substring_pattern(fuzzy or text),
              "word": _whole_word(text), "relations": relations, "categories": category_ids,
              "phrase": " OR ".join(text_index.phrase(t) for t in (text, fuzzy) if t)}
    # A strength chosen means that strength, in the skill searched: nobody matched by name
    # or job title alone comes with it.
    by_words = words and not filters.relation
    skills = [sid for sid in weights
              if not category_ids or vocab.skills[sid].category_id in category_ids]
    if skills or weights and not category_ids:
        levels = ranking.levels(weights, skills, relations)
        params |= {"skills": skills} | {f"level{i}": pairs for i, pairs in enumerate(levels)}
        ranked = ranking.by_skills(people, len(levels), exact is None and by_words,
                                   words and exact is not None)
    elif category_ids:
        ranked = ranking.by_area(people, words, by_words)
    else:
        ranked = ranking.browsing(people, words, tuple(relations), bool(filters.relation))
    ids, total, page_no = _page(ranked, params, max(1, filters.page))

    # The page's people and the skills that explain their match as plain rows (two queries):
    # ORM objects with their school, profile and skills joined cost more than the ranking.
    people_rows = {row.id: row for row in _run(_PEOPLE_ROWS, {"ids": ids})} if ids else {}
    links: dict[int, list[Link]] = {}
    if ids and (skills or category_ids):  # browsing shows none
        for user_id, *link in _run(_links(bool(skills), bool(category_ids)), {
                "ids": ids, "skills": skills, "categories": category_ids,
                "relations": [filters.relation] if filters.relation else list(RELATIONS)}):
            links.setdefault(user_id, []).append(Link(*link))
    results = []
    for uid in ids:
        mine = sorted(links.get(uid, []), key=lambda l: (-RANK[l.relation]
                                                         * weights.get(l.skill_id, 0.5),
                                                         l.skill_name))
        row = people_rows[uid]
        results.append(Result(row, mine[:4], "" if mine or not words
                              else _because(row, text, fuzzy)))
    nearest, nearest_name = [], None
    if words and not total:  # suggest only skills someone in the cluster has
        counts = skill_counts(stamp)
        nearest = [m for m in vocab.nearest(filters.q) if counts.get(m.skill_id)][:5]
        nearest_name = name_words(stamp).nearest(text)
    return Search(Page(results, total, page_no, PER_PAGE), results, matches, nearest, vocab,
                  nearest_name)


def _whole_word(text: str) -> str:
    """The LIKE pattern that holds a short search to whole words of a name or job title
    (with a space either side): "SEN" is not in "Sensory lead"."""
    return f"% {text_index.substring_pattern(' '.join(text.split()))[1:-1]} %"


def _because(row, text: str, fuzzy: str | None) -> str:
    """Why words matched a person who has none of the skills searched: their name (the
    part of it that matched, as written) or their job title."""
    short = len(text.strip()) <= SHORT  # a whole word: " li " in " lily li "
    for words in filter(None, (" ".join(text.lower().split()), fuzzy)):
        at = f" {row.name.lower()} ".find(f" {words} ") if short else row.name.lower().find(words)
        if at >= 0:
            return f"Name matches “{row.name[at:at + len(words)]}”"
    return f"Job title: {row.job_title}" if row.job_title else ""


# --- People's names and job titles, for their typos (matching.NameWords) ---
_NAMES_AND_TITLES = select(User.name, User.job_title).where(User.active.is_(True))
_NAME_WORDS = Remembered(size=1)


def name_words(stamp: str | None) -> NameWords:
    """The words of active people's names and job titles: one query when the people changed
    (their stamp), then none."""
    return _NAME_WORDS.get(stamp, "names", lambda: NameWords(_run(_NAMES_AND_TITLES)))


def _run(stmt, params: dict | None = None):
    """Run a read on the session's connection. Going through the session's ORM execution
    cost ~0.13 ms more a statement, for results that are plain rows anyway."""
    return db.session.connection().execute(stmt, params or {})


def _page(ranked, params: dict, page_no: int) -> tuple[list[int], int, int]:
    """(ids, total, page number) of a page of ``ranked``; past the end, the last page."""
    stmt = ranking.paged(ranked)

    def page(number: int, size: int = PER_PAGE):
        return _run(stmt, {**params, "limit": size, "offset": (number - 1) * size}).all()

    rows = page(page_no)
    if not rows and page_no > 1:  # past the end: the total, from the first row, then the page
        first = page(1, size=1)
        page_no = -(-first[0].total // PER_PAGE) if first else 1
        rows = page(page_no) if first else []
    return [r.id for r in rows], (rows[0].total if rows else 0), page_no


_PEOPLE_ROWS = select(User.id, User.name, User.job_title, School.name.label("school_name"),
                      Profile.offers_paused) \
    .outerjoin(School, School.id == User.school_id) \
    .outerjoin(Profile, Profile.user_id == User.id) \
    .where(User.id.in_(bindparam("ids", expanding=True)))


@cache
def _links(by_skill: bool, by_category: bool):
    """The page's links to the matched skills (or the chosen area's), in the relations
    asked for (a strength chosen: that one)."""
    stmt = select(UserSkill.user_id, UserSkill.skill_id, UserSkill.relation, Skill.name) \
        .join(Skill, Skill.id == UserSkill.skill_id) \
        .where(UserSkill.user_id.in_(bindparam("ids", expanding=True)),
               UserSkill.relation.in_(bindparam("relations", expanding=True)))
    if by_skill:
        stmt = stmt.where(UserSkill.skill_id.in_(bindparam("skills", expanding=True)))
    if by_category:
        stmt = stmt.where(Skill.category_id.in_(bindparam("categories", expanding=True)))
    return stmt


def unmet(q: str) -> bool:
    """Whether words are unmet demand: they find nobody in the whole directory, whatever
    the filters, and are no colleague's name misspelt (a near name is suggested)."""
    vocab, stamp = search_context()
    return not search(Filters(q=q), vocab, stamp).page.total \
        and name_words(stamp).nearest(q[:100]) is None


def record_miss(term: str, month: str) -> None:
    """Count a search that found nobody: the words only, never who searched."""
    term = normalise(term)[:100]
    if not term:
        return
    updated = db.session.execute(
        SearchMiss.__table__.update()
        .where(SearchMiss.term == term, SearchMiss.month == month)
        .values(count=SearchMiss.count + 1)
    )
    if updated.rowcount == 0:
        try:
            with db.session.begin_nested():
                db.session.add(SearchMiss(term=term, month=month, count=1))
        except IntegrityError:  # a simultaneous first miss won the insert: count ours on it
            db.session.execute(
                SearchMiss.__table__.update()
                .where(SearchMiss.term == term, SearchMiss.month == month)
                .values(count=SearchMiss.count + 1)
            )


def profile(user_id: int) -> User | None:
    return db.session.scalars(
        select(User).where(User.id == user_id).options(
            selectinload(User.profile), selectinload(User.role_rows))
    ).first()


def profile_details(user_id: int) -> dict:
    """Skills, offers and qualifications of one person, in three queries."""
    skills = list(db.session.scalars(
        select(UserSkill).where(UserSkill.user_id == user_id)))
    skills.sort(key=lambda l: (-RANK[l.relation], l.skill.name.lower()))
    offers = list(db.session.scalars(select(Offer.kind).where(Offer.user_id == user_id)))
    quals = db.session.execute(select(Qualification.kind, Qualification.confirmed_at)
                               .where(Qualification.user_id == user_id)).all()
    return {"skills": skills, "offers": offers, "qualifications": [k for k, _at in quals],
            # Training that lets them join review teams, waiting for a head or lead.
            "unconfirmed": [k for k, at in quals if k in VOUCHED_QUALIFICATIONS and at is None]}


@dataclass
class ToConfirm:
    user_id: int
    name: str
    school: str | None
    kind: str


_UNCONFIRMED = (Qualification.confirmed_at.is_(None),
                Qualification.kind.in_(VOUCHED_QUALIFICATIONS),
                User.active.is_(True), User.id != bindparam("me"))
_TO_CONFIRM = {mine: select(Qualification.user_id, User.name, School.name, Qualification.kind)
               .join(User, User.id == Qualification.user_id)
               .outerjoin(School, School.id == User.school_id)
               .where(*_UNCONFIRMED, *([User.school_id == bindparam("school")] if mine else []))
               .order_by(School.name, User.name, Qualification.kind)
               for mine in (False, True)}
_COUNT_TO_CONFIRM = {mine: select(func.count()).select_from(Qualification)
                     .join(User, User.id == Qualification.user_id)
                     .where(*_UNCONFIRMED, *([User.school_id == bindparam("school")]
                                             if mine else []))
                     for mine in (False, True)}


def _confirmer(user: User) -> tuple[bool, dict]:
    """Whose training ``user`` confirms: everyone's (a lead) or their school's (a head)."""
    return not user.has_role(LEAD), {"me": user.id, "school": user.school_id or 0}


def to_confirm(user: User) -> list[ToConfirm]:
    """Trained peer reviewers and champions waiting for ``user`` to confirm them."""
    mine, params = _confirmer(user)
    return [ToConfirm(*row) for row in db.session.execute(_TO_CONFIRM[mine], params)]


def count_to_confirm(user: User) -> int:
    mine, params = _confirmer(user)
    return db.session.scalar(_COUNT_TO_CONFIRM[mine], params)


# Every link counted from the skill index, less the links of the few inactive people (their
# partial index, 0011): joining 80,000 links to their people cost ~85 ms on SQLite.
_LINKS_PER_SKILL = select(UserSkill.skill_id, func.count()).group_by(UserSkill.skill_id)
_INACTIVE_LINKS_PER_SKILL = _LINKS_PER_SKILL.where(
    UserSkill.user_id.in_(select(User.id).where(User.active.is_(False))))
_COUNTS = Remembered(size=1)


def skill_counts(stamp: str | None = None) -> dict[int, int]:
    """Active people per skill, in two queries; remembered under the people ``stamp``."""
    def count():
        counts = dict(_run(_LINKS_PER_SKILL).all())
        for skill_id, n in _run(_INACTIVE_LINKS_PER_SKILL):
            counts[skill_id] -= n
        return {skill_id: n for skill_id, n in counts.items() if n}
    return _COUNTS.get(stamp, "counts", count)
