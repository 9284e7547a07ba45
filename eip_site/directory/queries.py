"""Reads for directory pages. A search runs the same few queries for 10 people or 10,000."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from sqlalchemy import String, case, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, lazyload, selectinload

from ..extensions import db
from ..people.models import School, User
from ..people.queries import Page, contains
from .matching import Match, build_terms, match_skills, nearest_skills, normalise
from .models import (
    STRENGTHS,
    Offer,
    Profile,
    Qualification,
    SearchMiss,
    Skill,
    SkillCategory,
    UserSkill,
)

PER_PAGE = 20
RANK = {"train": 3, "mentor": 2, "experience": 1, "develop": 0}


@dataclass
class Vocabulary:
    skills: dict[int, Skill]
    categories: list[SkillCategory]

    @cached_property
    def terms(self):
        return build_terms((s.id, s.name, s.synonym_list) for s in self.skills.values())

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
# ranking query itself, and even reading them as plain rows cost ~2 ms a search. So each
# search asks the database for one row: the approved skills and the categories, each joined
# into one string. Only when that differs from the process's copy are the rows read again,
# so an edit anywhere (another worker, a script, plain SQL) is seen at once.

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
    MAX_REMEMBERED = 500  # searches whose matches are remembered (a few hundred bytes each)

    def __init__(self, skill_rows: list[tuple], category_rows: list[tuple]):
        super().__init__({r[0]: SkillName(*r) for r in skill_rows},
                         [CategoryName(*r) for r in category_rows])
        self.fingerprint: tuple = ()
        self._matches: dict[str, list[Match]] = {}

    def match(self, query: str) -> list[Match]:
        """match_skills, remembered per search text: typing the same words again is free."""
        found = self._matches.get(query)
        if found is None:
            found = match_skills(query, self.terms)
            if len(self._matches) >= self.MAX_REMEMBERED:
                self._matches.clear()
            self._matches[query] = found
        return list(found)


_search_vocabulary: SearchVocabulary | None = None


def _joined(*columns):
    """The columns of every row as one string (tabs between fields, newlines between rows)."""
    row = columns[0].cast(String)
    for column in columns[1:]:
        row = row + "\t" + column.cast(String)
    return func.aggregate_strings(row, "\n")


_VOCABULARY_FINGERPRINT = select(
    select(_joined(Skill.id, Skill.name, Skill.category_id, Skill.synonyms))
    .where(Skill.status == "approved").scalar_subquery(),
    select(_joined(SkillCategory.id, SkillCategory.slug, SkillCategory.name,
                   SkillCategory.position)).scalar_subquery())


def search_vocabulary() -> SearchVocabulary:
    """The approved vocabulary for searching: one single-row query while nothing changed."""
    global _search_vocabulary
    fingerprint = tuple(db.session.execute(_VOCABULARY_FINGERPRINT).one())
    cached = _search_vocabulary
    if cached is None or cached.fingerprint != fingerprint:
        skill_rows = [tuple(r) for r in db.session.execute(
            select(Skill.id, Skill.name, Skill.category_id, Skill.synonyms)
            .where(Skill.status == "approved").order_by(Skill.id))]
        category_rows = [tuple(r) for r in db.session.execute(
            select(SkillCategory.id, SkillCategory.slug, SkillCategory.name,
                   SkillCategory.position).order_by(SkillCategory.position, SkillCategory.id))]
        cached = _search_vocabulary = SearchVocabulary(skill_rows, category_rows)
        cached.fingerprint = fingerprint
    return cached


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


@dataclass
class Result:
    user: User
    matched: list[UserSkill] = field(default_factory=list)  # the skills that explain the match


@dataclass
class Search:
    page: Page
    results: list[Result]
    matches: list[Match]
    nearest: list[Match]
    vocabulary: Vocabulary


def search(filters: Filters, vocab: Vocabulary | None = None) -> Search:
    """People for the directory, best first: those who can train or mentor in the searched
    skill, then experience; names and job titles match too."""
    vocab = vocab or search_vocabulary()
    exact = vocab.skills.get(filters.skill) if filters.skill else None
    if exact is not None:
        matches = [Match(exact.id, 1.0, exact.name)]
    else:
        matches = (vocab.match(filters.q) if isinstance(vocab, SearchVocabulary)
                   else match_skills(filters.q, vocab.terms)) if filters.q.strip() else []
    weights = {m.skill_id: m.score for m in matches}
    category_ids = [c.id for c in vocab.categories if c.slug == filters.category]
    relations = [filters.relation] if filters.relation else list(STRENGTHS)

    # Which skills count: the matched ones, narrowed to a category if one is chosen.
    skill_filter = []
    if weights:
        skill_filter.append(UserSkill.skill_id.in_(weights))
    if category_ids:
        skill_filter.append(UserSkill.skill_id.in_(
            select(Skill.id).where(Skill.category_id.in_(category_ids))))

    # Who may appear at all, whatever their skills.
    people = [User.active.is_(True)]
    text_match = or_(contains(User.name, filters.q[:100]), contains(User.job_title,
                                                                   filters.q[:100]))
    if filters.school:
        people.append(User.school_id == filters.school)
    if filters.phase:
        people.append(User.school_id.in_(select(School.id).where(School.phase == filters.phase)))
    if filters.offer or filters.available:
        offered = select(Offer.user_id)
        if filters.offer:
            offered = offered.where(Offer.kind == filters.offer)
        people.append(User.id.in_(offered))
    if filters.available:
        people.append(~User.id.in_(select(Profile.user_id).where(
            Profile.offers_paused.is_(True))))

    per_page = PER_PAGE
    page_no = max(1, filters.page)
    if skill_filter:
        ids, total, page_no = _ranked_by_skills(filters, people, text_match, weights,
                                                skill_filter, relations, exact, page_no)
    else:
        if filters.q.strip():
            people.append(text_match)
        strength_required = bool(filters.relation) and not filters.q.strip()
        ids, total, page_no = _ranked_by_strength(people, relations, strength_required,
                                                  page_no)

    # One query for the page's people with their school and profile; roles are not shown.
    users = {u.id: u for u in db.session.scalars(
        select(User).where(User.id.in_(ids)).options(
            lazyload(User.role_rows), joinedload(User.profile)))} if ids else {}
    links: dict[int, list[UserSkill]] = {}
    if ids and skill_filter:  # the skills that explain a match; browsing shows none
        for link in db.session.scalars(
                select(UserSkill).where(UserSkill.user_id.in_(ids), *skill_filter)):
            links.setdefault(link.user_id, []).append(link)
    results = []
    for uid in ids:
        mine = sorted(links.get(uid, []), key=lambda l: (-RANK[l.relation]
                                                         * weights.get(l.skill_id, 0.5),
                                                         l.skill.name))
        results.append(Result(users[uid], mine[:4]))
    nearest = []
    if filters.q.strip() and not total:  # suggest only skills someone in the cluster has
        counts = skill_counts()
        nearest = [m for m in nearest_skills(filters.q, vocab.terms, limit=20)
                   if counts.get(m.skill_id)][:5]
    return Search(Page(results, total, page_no, per_page), results, matches, nearest, vocab)


def _ranked_by_skills(filters, people, text_match, weights, skill_filter, relations, exact,
                      page_no):
    """A search for skills: each person holding a matched skill scored by their best link
    (train > mentor > experience, times how well the skill matched), best first; then, when
    the words name a skill, those who match only by name or job title, by name.

    Driven from the links (a few thousand at most), never from every person: joining all
    10,000 people to the scores cost ~12 ms of SQLite's time on the bench data."""
    skill_score = case(
        *[(UserSkill.skill_id == sid, w) for sid, w in weights.items()], else_=0.5
    ) if weights else 1.0
    relation_rank = case(*[(UserSkill.relation == r, n) for r, n in RANK.items()], else_=0)
    held = (UserSkill.relation.in_(relations), *skill_filter)
    strength = (
        select(UserSkill.user_id, func.max(relation_rank * skill_score * 10).label("score"))
        .where(*held).group_by(UserSkill.user_id)
    )
    if len(people) > 1:  # a school or other filter: score only the people it leaves
        strength = strength.join(User, User.id == UserSkill.user_id).where(*people)
    strength = strength.subquery()
    offset = (page_no - 1) * PER_PAGE

    if not weights and filters.q.strip() and exact is None:
        # A skill area chosen and words that name no skill: people the words match, those
        # with strengths in the area first (a few people by name, so joined from them).
        stmt = select(User.id, func.coalesce(strength.c.score, 0).label("score")) \
            .outerjoin(strength, strength.c.user_id == User.id).where(*people, text_match)
        return _page_of(stmt, strength.c.score, page_no)

    holders = select(User.id, strength.c.score).select_from(strength) \
        .join(User, User.id == strength.c.user_id).where(*people)
    if exact is not None and filters.q.strip():
        holders = holders.where(text_match)
    if not weights or exact is not None:
        return _page_of(holders, strength.c.score, page_no)

    # Words that name skills: holders first, then people matched only by name or job title.
    ids, held_total, _ = _page_of(holders, strength.c.score, page_no, fit=False)
    text_only = select(User.id).where(*people, text_match, ~select(UserSkill.user_id).where(
        UserSkill.user_id == User.id, *held).exists())
    text_total = db.session.scalar(select(func.count()).select_from(text_only.subquery()))
    total = held_total + text_total
    last = max(1, -(-total // PER_PAGE))
    if page_no > last:  # past the end: show the last page
        return _ranked_by_skills(filters, people, text_match, weights, skill_filter, relations,
                                 exact, last)
    if len(ids) < PER_PAGE and text_total:
        ids += db.session.scalars(text_only.order_by(User.name, User.id)
                                  .limit(PER_PAGE - len(ids))
                                  .offset(max(0, offset - held_total))).all()
    return ids, total, page_no


def _page_of(stmt, score, page_no, *, fit: bool = True):
    """One page of ``stmt`` (person id, score) by score then name, with the total counted
    in the same query. Past the end, the last page (unless ``fit`` is off: the caller
    pages on into other results)."""
    ranked = stmt.add_columns(func.count().over().label("total")) \
        .order_by(func.coalesce(score, 0).desc(), User.name, User.id)
    rows = db.session.execute(ranked.limit(PER_PAGE).offset((page_no - 1) * PER_PAGE)).all()
    if not rows and page_no > 1:
        total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
        if not fit:
            return [], total, page_no
        page_no = max(1, -(-total // PER_PAGE))
        rows = db.session.execute(ranked.limit(PER_PAGE).offset((page_no - 1) * PER_PAGE)).all()
    return [r.id for r in rows], (rows[0].total if rows else 0), page_no


def _ranked_by_strength(people, relations, strength_required, page_no):
    """Browsing (no skill searched): everyone who passes the filters, those who can train in
    anything first, then mentor, then experience, then the rest, by name within each.

    Scoring all 80,000 links to rank 10,000 people cost most of a second, so instead each
    level is read in name order from the index, best level first, stopping as soon as the
    page is full; a later level then runs with LIMIT 0, which reads nothing. So the same
    queries run whatever the size: a count, and one per level."""
    def holds(*held):
        return select(UserSkill.user_id).where(UserSkill.user_id == User.id,
                                               UserSkill.relation.in_(held)).exists()

    if strength_required:  # "Can…" chosen: only those with that strength
        people = [*people, holds(*relations)]
    total = db.session.scalar(select(func.count()).select_from(User).where(*people))
    page_no = max(1, min(page_no, -(-total // PER_PAGE)))
    wanted = page_no * PER_PAGE

    # One level per score, best first; a level excludes those already in a better one.
    scores = sorted({RANK[r] for r in relations}, reverse=True)
    ranked = [r for r in relations if RANK[r]]
    levels = []
    for score in scores:
        if score == 0 and not strength_required:
            continue
        level = [*people, holds(*[r for r in relations if RANK[r] == score])]
        better = [r for r in relations if RANK[r] > score]
        levels.append([*level, ~holds(*better)] if better else level)
    if not strength_required:  # and then everyone with no strength (develop counts as none)
        levels.append([*people, ~holds(*ranked)] if ranked else people)

    ids: list[int] = []
    for level in levels:
        ids += db.session.scalars(select(User.id).where(*level).order_by(User.name, User.id)
                                  .limit(wanted - len(ids))).all()
    return ids[wanted - PER_PAGE:], total, page_no


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
    quals = list(db.session.scalars(
        select(Qualification.kind).where(Qualification.user_id == user_id)))
    return {"skills": skills, "offers": offers, "qualifications": quals}


def skill_counts() -> dict[int, int]:
    """People per skill, in one query."""
    rows = db.session.execute(
        select(UserSkill.skill_id, func.count()).join(User, User.id == UserSkill.user_id)
        .where(User.active.is_(True)).group_by(UserSkill.skill_id))
    return {skill_id: n for skill_id, n in rows}
