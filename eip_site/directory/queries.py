"""Reads for directory pages. A search runs the same few queries for 10 people or 10,000."""

from __future__ import annotations

from dataclasses import astuple, dataclass, field
from functools import cached_property

from sqlalchemy import (
    Integer,
    Row,
    String,
    bindparam,
    case,
    func,
    literal,
    or_,
    select,
    text,
    union_all,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, selectinload

from .. import text_index
from ..data_version import Remembered, stamp_of
from ..extensions import db
from ..people.models import School, User
from ..people.queries import Page, contains, substring_pattern
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
    def __init__(self, skill_rows: list[tuple], category_rows: list[tuple]):
        super().__init__({r[0]: SkillName(*r) for r in skill_rows},
                         [CategoryName(*r) for r in category_rows])
        self.fingerprint: tuple = ()
        self.searches = Remembered()  # Search answers, under the people stamp
        self._by_text = Remembered()  # matches for a search text: this vocabulary's own

    def match(self, query: str) -> list[Match]:
        """Remembered per search text: typing the same words again is free."""
        return list(self._by_text.get("match", query, lambda: Vocabulary.match(self, query)))

    def nearest(self, query: str) -> list[Match]:
        """Remembered per search text: ~30 ms of fuzzy matching against every term."""
        return list(self._by_text.get("nearest", query,
                                      lambda: Vocabulary.nearest(self, query)))


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
                   SkillCategory.position)).scalar_subquery(),
    stamp_of("people"))


def search_context() -> tuple[SearchVocabulary, str | None]:
    """The approved vocabulary for searching, and the stamp of the people data (see
    data_version) under which searches are remembered: one single-row query while nothing
    changed."""
    global _search_vocabulary
    *fingerprint, stamp = db.session.execute(_VOCABULARY_FINGERPRINT).one()
    fingerprint = tuple(fingerprint)
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
    return cached, stamp


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


@dataclass
class Search:
    page: Page
    results: list[Result]
    matches: list[Match]
    nearest: list[Match]
    vocabulary: Vocabulary


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
        # Pages keep their prepared statements' plans (see create_app's _end_reading), but
        # the best plan here depends on the values (how many hold the skills, which school):
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
    words = filters.q.strip()

    # Who may appear at all, whatever their skills: conditions with parameters, so that
    # the statements built on them are built once per combination of filters.
    text = filters.q[:100]
    indexed = text_index.indexable(text)
    shape = People(bool(filters.school), bool(filters.phase), bool(filters.offer),
                   filters.available, indexed)
    params = {"school": filters.school, "phase": filters.phase, "offer": filters.offer,
              "pattern": substring_pattern(text),
              "phrase": text_index.phrase(text)}

    page_no = max(1, filters.page)
    if weights:
        skills = [sid for sid in weights
                  if not category_ids or vocab.skills[sid].category_id in category_ids]
        ids, total, page_no = _ranked_by_levels(shape, params, weights, skills, relations,
                                                exact, bool(words), page_no)
    elif category_ids:
        ids, total, page_no = _ranked_by_skills(shape, params, category_ids, relations,
                                                bool(words), page_no)
    else:
        strength_required = bool(filters.relation) and not words
        ids, total, page_no = _ranked_by_strength(shape, params, bool(words), relations,
                                                  strength_required, page_no)

    # The page's people and the skills that explain their match as plain rows (two queries):
    # ORM objects with their school, profile and skills joined cost more than the ranking.
    people_rows = {row.id: row for row in _run(_PEOPLE_ROWS, {"ids": ids})} if ids else {}
    links: dict[int, list[Link]] = {}
    if ids and (weights or category_ids):  # browsing shows none
        for user_id, *link in _run(_links(bool(weights), bool(category_ids)), {
                "ids": ids, "skills": list(weights), "categories": category_ids}):
            links.setdefault(user_id, []).append(Link(*link))
    results = []
    for uid in ids:
        mine = sorted(links.get(uid, []), key=lambda l: (-RANK[l.relation]
                                                         * weights.get(l.skill_id, 0.5),
                                                         l.skill_name))
        results.append(Result(people_rows[uid], mine[:4]))
    nearest = []
    if words and not total:  # suggest only skills someone in the cluster has
        counts = skill_counts(stamp)
        nearest = [m for m in vocab.nearest(filters.q) if counts.get(m.skill_id)][:5]
    return Search(Page(results, total, page_no, PER_PAGE), results, matches, nearest, vocab)


def _run(stmt, params: dict | None = None):
    """Run a read on the session's connection. Going through the session's ORM execution
    cost ~0.13 ms more a statement, for results that are plain rows anyway."""
    return db.session.connection().execute(stmt, params or {})


def _built(build):
    """``build(*key)``, built once per key: building and keying a statement cost more than
    running it (~0.2 ms for a small one), and a search's statements differ only by the
    filters in use. SQLAlchemy then finds the compiled form by the statement's memoized key."""
    made: dict = {}

    def get(*key):
        if key not in made:
            made[key] = build(*key)
        return made[key]
    return get


@dataclass(frozen=True)
class People:
    """Which people filters are in use; their values are the parameters school, phase,
    offer and pattern (the words, see ``substring_pattern``)."""
    school: bool = False
    phase: bool = False
    offer: bool = False
    available: bool = False
    indexed: bool = False  # SQLite and words of 3 characters or more: see text_match

    def conditions(self, text: bool = False) -> list:
        people = [User.active.is_(True)]
        if self.school:
            people.append(User.school_id == bindparam("school"))
        if self.phase:
            people.append(User.school_id.in_(
                select(School.id).where(School.phase == bindparam("phase"))))
        if self.offer or self.available:
            offered = select(Offer.user_id)
            if self.offer:
                offered = offered.where(Offer.kind == bindparam("offer"))
            people.append(User.id.in_(offered))
        if self.available:
            people.append(~User.id.in_(select(Profile.user_id).where(
                Profile.offers_paused.is_(True))))
        if text:
            people += self.text_match()
        return people

    def text_match(self) -> list:
        """Name or job title contains the words. On SQLite the trigram table (text_index,
        migration 0010) first finds the candidates, whose LIKE then decides as it did
        without it (~5 ms less for 10,000 people); its MATCH needs three characters, and on
        PostgreSQL trigram indexes serve LIKE itself."""
        like = or_(contains(User.name, bindparam("pattern")),
                   contains(User.job_title, bindparam("pattern")))
        if not self.indexed:
            return [like]
        return [User.id.in_(text_index.candidates("user", bindparam("phrase"))), like]


_HOLDER = aliased(UserSkill)  # "holds a better (or any matched) skill" in subqueries

_PEOPLE_ROWS = select(User.id, User.name, User.job_title, School.name.label("school_name"),
                      Profile.offers_paused) \
    .outerjoin(School, School.id == User.school_id) \
    .outerjoin(Profile, Profile.user_id == User.id) \
    .where(User.id.in_(bindparam("ids", expanding=True)))


@_built
def _links(by_skill: bool, by_category: bool):
    """The page's links to the matched skills (or the chosen area's), whatever the relation."""
    stmt = select(UserSkill.user_id, UserSkill.skill_id, UserSkill.relation, Skill.name) \
        .join(Skill, Skill.id == UserSkill.skill_id) \
        .where(UserSkill.user_id.in_(bindparam("ids", expanding=True)))
    if by_skill:
        stmt = stmt.where(UserSkill.skill_id.in_(bindparam("skills", expanding=True)))
    if by_category:
        stmt = stmt.where(Skill.category_id.in_(bindparam("categories", expanding=True)))
    return stmt


def _ranked_by_skills(shape, params, category_ids, relations, words, page_no):
    """A skill area chosen and no skill named: each person holding a skill of the area scored
    by their best link (train > mentor > experience), best first, then by name; with words
    (that name no skill), the people they match, those with strengths in the area first.

    Driven from the links (a few thousand at most), never from every person: joining all
    10,000 people to the scores cost ~12 ms of SQLite's time on the bench data."""
    people = shape.conditions()
    relation_rank = case(*[(UserSkill.relation == r, n) for r, n in RANK.items()], else_=0)
    strength = (
        select(UserSkill.user_id, func.max(relation_rank * 10).label("score"))
        .where(UserSkill.relation.in_(relations), UserSkill.skill_id.in_(
            select(Skill.id).where(Skill.category_id.in_(category_ids))))
        .group_by(UserSkill.user_id)
    )
    if len(people) > 1:  # a school or other filter: score only the people it leaves
        strength = strength.join(User, User.id == UserSkill.user_id).where(*people)
    strength = strength.subquery()
    if words:  # a few people by name, so joined from them
        stmt = select(User.id, func.coalesce(strength.c.score, 0).label("score")) \
            .outerjoin(strength, strength.c.user_id == User.id).where(*people, *shape.text_match())
    else:
        stmt = select(User.id, strength.c.score).select_from(strength) \
            .join(User, User.id == strength.c.user_id).where(*people)
    return _page_of(stmt, strength.c.score, params, page_no)


def _ranked_by_levels(shape, params, weights, skills, relations, exact, words, page_no):
    """A search whose words name skills (or one exact skill): the holders by score, then by
    name; then, unless one exact skill was asked for, those matched only by name or job title.

    Scores are few and discrete (relation rank × match weight), so, as in browsing, each score
    is read in name order from the index with a LIMIT, best first, leaving out those who hold
    a better one; once the page is full the later levels run with LIMIT 0. Scoring and sorting
    every holder with a window count (~2,300 links for "phonics") cost ~9 ms of SQLite's
    time; this costs a count of distinct holders and, for a first page, one short read."""
    # (score, relation, skill) as the single ranking query computed them, best first.
    scored = sorted(((RANK[r] * weights[sid] * 10, r, sid) for r in relations for sid in skills),
                    key=lambda t: -t[0])
    levels: list[list[tuple[str, int]]] = []
    for i, (score, r, sid) in enumerate(scored):
        if i and scored[i - 1][0] == score:
            levels[-1].append((r, sid))
        else:
            levels.append([(r, sid)])

    with_text = exact is None
    holders_match_words = words and not with_text
    counts, level, text_only = _level_statements(shape, with_text, holders_match_words)
    params = {**params, "skills": skills, "relations": relations}
    held_total, text_total = _run(counts, params).one() if with_text \
        else (_run(counts, params).scalar_one(), 0)
    total = held_total + text_total
    page_no = max(1, min(page_no, -(-total // PER_PAGE)))  # past the end: the last page
    wanted = page_no * PER_PAGE

    # The best level alone, which often fills the page; then the other levels together, each
    # capped at what the page still needs (LIMIT 0 when it is full). Separate statements per
    # level cost more in Python than their reads, which are short, cost SQLite.
    ids: list[int] = []
    above: list[tuple[str, int]] = []
    lower = _lower_levels(shape, holders_match_words, max(0, len(levels) - 1))
    for statement, group in ((level, levels[:1]), (lower, levels[1:])):
        if not group:
            continue
        level_params = {**params, "limit": wanted - len(ids)}
        for i, pairs in enumerate(group):
            level_params |= {**_pairs(f"level{i}", pairs), **_pairs(f"better{i}", above)}
            above = above + pairs
        ids += _run(statement, level_params).scalars().all()
    offset = wanted - PER_PAGE
    ids = ids[offset:]
    if with_text:  # the page's rest (often none: LIMIT 0) from those matched by words only
        ids += _run(text_only, {**params, "limit": PER_PAGE - len(ids),
                                "offset": max(0, offset - held_total)}).scalars().all()
    return ids, total, page_no


@_built
def _level_statements(shape: People, with_text: bool, holders_match_words: bool):
    """The statements of ``_ranked_by_levels``: the counts (of holders and, ``with_text``, of
    those matched only by words), one score level, and a page of those matched by words."""
    people = shape.conditions(text=holders_match_words)
    held = (UserSkill.skill_id.in_(bindparam("skills", expanding=True)),
            UserSkill.relation.in_(bindparam("relations", expanding=True)))
    allowed = _allowed(people)
    if len(people) > 1:
        holders = select(UserSkill.user_id).where(*held, *allowed)
    else:  # from the skill index alone, less the few inactive (their partial index, 0011)
        holders = select(UserSkill.user_id).where(*held, UserSkill.user_id.not_in(
            select(User.id).where(User.active.is_(False))))
    holders = holders.subquery()
    held_count = select(func.count(holders.c.user_id.distinct())).scalar_subquery()
    limit = bindparam("limit", type_=Integer)

    level = _level(allowed, 0).order_by(User.name, User.id).limit(limit)
    if not with_text:
        return select(held_count), level, None
    text_only = select(User.id).where(*people, *shape.text_match(), ~select(_HOLDER.user_id).where(
        _HOLDER.user_id == User.id,
        _HOLDER.skill_id.in_(bindparam("skills", expanding=True)),
        _HOLDER.relation.in_(bindparam("relations", expanding=True))).exists())
    text_count = select(func.count()).select_from(text_only.subquery()).scalar_subquery()
    return (select(held_count, text_count), level,
            text_only.order_by(User.name, User.id).limit(limit)
            .offset(bindparam("offset", type_=Integer)))


def _allowed(people: list) -> list:
    """The people conditions for a statement driven from the links."""
    if len(people) > 1:  # a filter: the few people it leaves, found by their own indexes
        return [UserSkill.user_id.in_(select(User.id).where(*people))]
    return people  # everyone active: a join (an IN list of 10,000 people cost far more)


def _level(allowed: list, i: int):
    """The people of score level ``i`` (parameters level{i}_…) who hold nothing better
    (better{i}_…), with their names, in no order."""
    return select(User.id, User.name).join(UserSkill, UserSkill.user_id == User.id).where(
        *_holding(UserSkill, f"level{i}"), *allowed,
        ~select(_HOLDER.user_id).where(_HOLDER.user_id == User.id,
                                       *_holding(_HOLDER, f"better{i}")).exists()
    ).distinct()


@_built
def _lower_levels(shape: People, holders_match_words: bool, count: int):
    """``count`` levels, each read in name order up to the parameter limit, together in order."""
    if not count:
        return None
    allowed = _allowed(shape.conditions(text=holders_match_words))
    limit = bindparam("limit", type_=Integer)
    arms = []
    for i in range(count):
        arm = _level(allowed, i).order_by(User.name, User.id).limit(limit).subquery()
        arms.append(select(literal(i).label("level"), arm.c.id, arm.c.name))
    together = union_all(*arms).subquery()
    return select(together.c.id) \
        .order_by(together.c.level, together.c.name, together.c.id).limit(limit)


def _holding(link, name: str) -> tuple:
    """``link`` is one of the (relation, skill) pairs given as parameters ``name``_…: the
    skill and relation lists let the (skill_id, relation) index find them."""
    pair = link.relation + ":" + link.skill_id.cast(String)
    return (link.skill_id.in_(bindparam(f"{name}_skills", expanding=True)),
            link.relation.in_(bindparam(f"{name}_relations", expanding=True)),
            pair.in_(bindparam(f"{name}_pairs", expanding=True)))


def _pairs(name: str, pairs: list[tuple[str, int]]) -> dict:
    return {f"{name}_skills": sorted({sid for _r, sid in pairs}),
            f"{name}_relations": sorted({r for r, _sid in pairs}),
            f"{name}_pairs": [f"{r}:{sid}" for r, sid in pairs]}


def _page_of(stmt, score, params, page_no):
    """One page of ``stmt`` (person id, score) by score then name, with the total counted
    in the same query. Past the end, the last page."""
    ranked = stmt.add_columns(func.count().over().label("total")) \
        .order_by(func.coalesce(score, 0).desc(), User.name, User.id)
    rows = _run(ranked.limit(PER_PAGE).offset((page_no - 1) * PER_PAGE), params).all()
    if not rows and page_no > 1:
        total = _run(select(func.count()).select_from(stmt.subquery()), params).scalar_one()
        page_no = max(1, -(-total // PER_PAGE))
        rows = _run(ranked.limit(PER_PAGE).offset((page_no - 1) * PER_PAGE), params).all()
    return [r.id for r in rows], (rows[0].total if rows else 0), page_no


def _ranked_by_strength(shape, params, words, relations, strength_required, page_no):
    """Browsing (no skill searched): everyone who passes the filters, those who can train in
    anything first, then mentor, then experience, then the rest, by name within each.

    Scoring all 80,000 links to rank 10,000 people cost most of a second, so instead each
    level is read in name order from the index, best level first, stopping as soon as the
    page is full; a later level then runs with LIMIT 0, which reads nothing. So the same
    queries run whatever the size: a count, and one per level."""
    count, levels = _strength_statements(shape, words, tuple(relations), strength_required)
    total = _run(count, params).scalar_one()
    page_no = max(1, min(page_no, -(-total // PER_PAGE)))
    wanted = page_no * PER_PAGE
    ids: list[int] = []
    for level in levels:
        ids += _run(level, {**params, "limit": wanted - len(ids)}).scalars().all()
    return ids[wanted - PER_PAGE:], total, page_no


@_built
def _strength_statements(shape: People, words: bool, relations: tuple, strength_required):
    """The count and the level statements of ``_ranked_by_strength``."""
    def holds(*held):
        return select(UserSkill.user_id).where(UserSkill.user_id == User.id,
                                               UserSkill.relation.in_(held)).exists()

    people = shape.conditions(text=words)
    if strength_required:  # "Can…" chosen: only those with that strength
        people = [*people, holds(*relations)]
    if len(people) == 1:  # everyone active: all less the few inactive, both from indexes
        # (counting all 10,000 rows' active flag cost ~2 ms on SQLite)
        count = select(select(func.count()).select_from(User).scalar_subquery()
                       - select(func.count()).where(User.active.is_(False)).scalar_subquery())
    else:
        count = select(func.count()).select_from(User).where(*people)

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
    limit = bindparam("limit", type_=Integer)
    return count, [select(User.id).where(*level).order_by(User.name, User.id).limit(limit)
                   for level in levels]


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
