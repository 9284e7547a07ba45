"""Reads for directory pages. A search runs the same few queries for 10 people or 10,000."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from sqlalchemy import case, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

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
# ranking query itself. Each search still reads the approved skills and the categories as
# plain rows (two cheap queries) and reuses the process's copy only when those rows are
# exactly the same, so an edit anywhere (another worker, a script) is seen at once.

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
        self.rows = (skill_rows, category_rows)
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


def search_vocabulary() -> SearchVocabulary:
    """The approved vocabulary for searching, in two queries of plain rows."""
    global _search_vocabulary
    skill_rows = [tuple(r) for r in db.session.execute(
        select(Skill.id, Skill.name, Skill.category_id, Skill.synonyms)
        .where(Skill.status == "approved").order_by(Skill.id))]
    category_rows = [tuple(r) for r in db.session.execute(
        select(SkillCategory.id, SkillCategory.slug, SkillCategory.name, SkillCategory.position)
        .order_by(SkillCategory.position, SkillCategory.id))]
    cached = _search_vocabulary
    if cached is None or cached.rows != (skill_rows, category_rows):
        cached = _search_vocabulary = SearchVocabulary(skill_rows, category_rows)
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
    skill_score = case(
        *[(UserSkill.skill_id == sid, w) for sid, w in weights.items()], else_=0.5
    ) if weights else 1.0
    relation_rank = case(*[(UserSkill.relation == r, n) for r, n in RANK.items()], else_=0)
    strength = (
        select(UserSkill.user_id, func.max(relation_rank * skill_score * 10).label("score"))
        .where(UserSkill.relation.in_(relations), *skill_filter)
        .group_by(UserSkill.user_id)
        .subquery()
    )

    stmt = select(User.id, func.coalesce(strength.c.score, 0).label("score")) \
        .outerjoin(strength, strength.c.user_id == User.id) \
        .where(User.active.is_(True))
    text_match = or_(contains(User.name, filters.q[:100]), contains(User.job_title,
                                                                   filters.q[:100]))
    if exact is not None:
        stmt = stmt.where(strength.c.score.is_not(None))
        if filters.q.strip():
            stmt = stmt.where(text_match)
    elif weights:
        stmt = stmt.where(or_(strength.c.score.is_not(None), text_match))
    elif filters.q.strip():
        stmt = stmt.where(text_match)
    elif skill_filter or filters.relation:
        stmt = stmt.where(strength.c.score.is_not(None))
    if filters.school:
        stmt = stmt.where(User.school_id == filters.school)
    if filters.phase:
        stmt = stmt.where(User.school_id.in_(select(School.id).where(School.phase == filters.phase)))
    if filters.offer or filters.available:
        offered = select(Offer.user_id)
        if filters.offer:
            offered = offered.where(Offer.kind == filters.offer)
        stmt = stmt.where(User.id.in_(offered))
    if filters.available:
        stmt = stmt.where(~User.id.in_(select(Profile.user_id).where(
            Profile.offers_paused.is_(True))))

    ranked = stmt.add_columns(func.count().over().label("total")) \
        .order_by(func.coalesce(strength.c.score, 0).desc(), User.name, User.id)
    per_page = PER_PAGE
    page_no = max(1, filters.page)
    rows = db.session.execute(ranked.limit(per_page).offset((page_no - 1) * per_page)).all()
    if not rows and page_no > 1:  # past the end: show the last page
        total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
        page_no = max(1, -(-total // per_page))
        rows = db.session.execute(ranked.limit(per_page).offset((page_no - 1) * per_page)).all()
    total = rows[0].total if rows else 0
    ids = [r.id for r in rows]

    users = {u.id: u for u in db.session.scalars(
        select(User).where(User.id.in_(ids)).options(
            selectinload(User.role_rows), selectinload(User.profile)))} if ids else {}
    links: dict[int, list[UserSkill]] = {}
    if ids:
        shown = select(UserSkill).where(UserSkill.user_id.in_(ids))
        if weights or category_ids:
            shown = shown.where(*skill_filter)
        for link in db.session.scalars(shown):
            links.setdefault(link.user_id, []).append(link)
    results = []
    for uid in ids:
        mine = sorted(links.get(uid, []), key=lambda l: (-RANK[l.relation]
                                                         * weights.get(l.skill_id, 0.5),
                                                         l.skill.name))
        results.append(Result(users[uid], mine[:4] if (weights or category_ids) else []))
    nearest = []
    if filters.q.strip() and not total:  # suggest only skills someone in the cluster has
        counts = skill_counts()
        nearest = [m for m in nearest_skills(filters.q, vocab.terms, limit=20)
                   if counts.get(m.skill_id)][:5]
    return Search(Page(results, total, page_no, per_page), results, matches, nearest, vocab)


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
