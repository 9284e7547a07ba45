"""What importing a file would do, row by row, found by comparing its rows with the
directory in a fixed number of queries, whatever the number of rows. Reads only.

An import adds and updates: it never removes a skill, offer or qualification, never changes
roles, and never deletes or deactivates anyone. Importing the same file again finds every
row unchanged.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..directory.matching import (
    build_terms,
    edit_distance,
    match_skills,
    nearest_skills,
    normalise,
)
from ..directory.models import (
    OFFERS,
    QUALIFICATIONS,
    RELATIONS,
    Offer,
    Qualification,
    Skill,
    SkillCategory,
    UserSkill,
)
from ..errors import DomainError
from ..extensions import db
from ..people.models import PHASES, School, User
from ..people.services import can_manage, manageable_school_ids
from .rows import Row, SkillIndex, check_row
from .spreadsheets import FileProblem, Table

MAX_SUGGESTIONS = 50              # new skills one file may suggest
ANOTHER_SCHOOL = "This person has an account at another school. Ask your cluster lead to " \
    "change it."


@dataclass
class Meant:
    """An unknown skill that looks like skills in the vocabulary ("phonix": Phonics?)."""
    name: str                              # as written in the file
    candidates: list[tuple[int, str]]      # (skill id, name), likeliest first
    chosen: int                            # the skill it is read as, or 0: suggest it as new


@dataclass
class Preview:
    filename: str
    school_id: int | None           # None: each row's school_urn says
    rows: list[Row]
    ignored: list[str]
    suggestions: dict[str, tuple[str, int]] = field(default_factory=dict)  # key -> name, category
    category_names: dict[int, str] = field(default_factory=dict)
    school_names: dict[int, str] = field(default_factory=dict)
    links: dict[tuple[int, int], UserSkill] = field(default_factory=dict)
    meant: dict[str, Meant | None] = field(default_factory=dict)  # key of an unknown skill

    @property
    def asked(self) -> list[tuple[str, Meant]]:
        """The "did you mean…?" questions, in the order the file raises them."""
        return [(key, m) for key, m in self.meant.items() if m is not None]

    @property
    def choices(self) -> dict[str, int]:
        return {key: m.chosen for key, m in self.asked}

    def count(self, state: str) -> int:
        return sum(r.state == state for r in self.rows)

    @property
    def ready(self) -> list[Row]:
        """The rows that confirming would change."""
        return [r for r in self.rows if r.state in ("new", "updated")]

    @property
    def fingerprint(self) -> str:
        seen = [[r.number, r.state, r.changes, r.notes] for r in self.ready]
        data = json.dumps([seen, sorted(self.suggestions.items())], ensure_ascii=False)
        return hashlib.sha256(data.encode()).hexdigest()[:32]


def preview_import(*, actor: User, table: Table, school_id: int | None = None,
                   choices: dict[str, int] | None = None) -> Preview:
    """What importing ``table`` would do, row by row. Reads only; nothing is written.
    ``choices``: the importer's answers to "did you mean…?" (skill id, or 0 for a new
    skill) by the unknown skill's key; without one, a typo is read as the skill."""
    allowed = manageable_school_ids(actor)
    if allowed is not None:  # a head imports for their own school, whatever the form said
        if not allowed:
            raise FileProblem("Your account is not linked to a school. Ask your cluster lead.")
        school_id = allowed[0]
    schools = {s.id: s for s in db.session.scalars(select(School))}
    if school_id is not None and school_id not in schools:
        raise DomainError("Choose a school from the list.", field="school")
    index = SkillIndex(db.session.scalars(select(Skill)))
    categories = list(db.session.scalars(select(SkillCategory).order_by(SkillCategory.position)))
    rows = [check_row(number, cells, index) for number, cells in table.rows]

    first: dict[str, int] = {}
    for row in rows:
        if row.email in first:
            row.errors.append(f"The same email address is on row {first[row.email]}.")
        elif row.email:
            first[row.email] = row.number
    emails = {r.email for r in rows if not r.errors}
    users = {u.email: u for u in db.session.scalars(
        select(User).where(User.email.in_(emails)).options(selectinload(User.profile)))} \
        if emails else {}
    ids = [u.id for u in users.values()]
    preview = Preview(table.filename, school_id, rows, table.ignored,
                      category_names={c.id: c.name for c in categories},
                      school_names={s.id: s.name for s in schools.values()})
    offers: set[tuple[int, str]] = set()
    if ids:
        preview.links = {(link.user_id, link.skill_id): link for link in db.session.scalars(
            select(UserSkill).where(UserSkill.user_id.in_(ids)))}
        offers = {(uid, "offer:" + k) for uid, k in db.session.execute(
            select(Offer.user_id, Offer.kind).where(Offer.user_id.in_(ids)))}
        offers |= {(uid, "qual:" + k) for uid, k in db.session.execute(
            select(Qualification.user_id, Qualification.kind)
            .where(Qualification.user_id.in_(ids)))}
    by_urn = {s.urn: s for s in schools.values()}
    terms = build_terms((s.id, s.name, s.synonym_list) for s in index.skills)
    for row in rows:
        other = by_urn.get(row.urn)
        if allowed is not None and not row.email and other and other.id != school_id:
            # Another school's person who keeps their email private, as a head's export of
            # the whole directory has them: not the head's to import.
            row.errors, row.state = [], "unchanged"
            row.notes.append(f"Left as it is: a row for {other.name} without an email "
                             "address. Only its head or a cluster lead imports its staff.")
            continue
        if not row.errors:
            _place(row, actor, users.get(row.email), school_id, schools, by_urn)
        if not row.errors:
            _resolve(row, preview, index, terms, choices or {})
        if not row.errors:
            _compare(row, actor, preview, offers, schools)
        if not row.errors:
            _suggest(row, preview, index, terms, categories)
        row.state = "error" if row.errors else row.state
    return preview


def _place(row: Row, actor: User, user: User | None, school_id: int | None, schools,
           by_urn) -> None:
    """Which school the row is for, and whether the actor may import it there."""
    head = manageable_school_ids(actor) is not None
    chosen = schools.get(school_id)
    school = by_urn.get(row.urn) if row.urn else chosen
    if row.urn and school is None:
        row.errors.append(f"No school in the partnership has the URN {row.urn}.")
    elif head and user is not None and user.school_id != actor.school_id and (
            not row.urn or school.id == user.school_id):
        # Someone at another school (or none), as the directory has them: a row that
        # changes nothing is no problem (_compare refuses any change).
        row.user, row.school_id, row.foreign = user, user.school_id, True
    elif chosen is not None and school.id != chosen.id:
        row.errors.append(f"You can only import staff for your own school, {chosen.name} "
                          f"(URN {chosen.urn})." if head else
                          f"This row is for {school.name}, but you are importing for "
                          f"{chosen.name}. Choose “All schools” to import several.")
    elif school is None and user is None:
        row.errors.append("Enter the URN of the person's school in the school_urn column.")
    elif user is not None and head and user.school_id != actor.school_id:
        row.errors.append(ANOTHER_SCHOOL)
    else:
        row.user = user
        row.school_id = school.id if school is not None else user.school_id


def _resolve(row: Row, preview: Preview, index: SkillIndex, terms, choices) -> None:
    """Unknown skills that look like skills in the vocabulary are asked about; each is read
    as the skill chosen, or (unless told) as the skill it is a typo of."""
    for key in [k for k in row.skills if isinstance(k, str)]:
        if key not in preview.meant:
            found = match_skills(row.names[key], terms, limit=3)
            candidates = [(m.skill_id, index.by_id[m.skill_id].name) for m in found]
            chosen = choices.get(key, found[0].skill_id if found and _is_typo(
                key[len("new:"):], normalise(found[0].because)) else 0)
            preview.meant[key] = Meant(row.names[key], candidates, chosen if chosen in {
                c for c, _ in candidates} else 0) if candidates else None
        meant = preview.meant[key]
        if meant is not None and meant.chosen:
            skill, relation = index.by_id[meant.chosen], row.skills.pop(key)
            del row.names[key]
            if row.skills.get(skill.id, relation) != relation:
                row.errors.append(f"{skill.name} is listed twice (once as “{meant.name}”), as "
                                  f"“{RELATIONS[row.skills[skill.id]]}” and "
                                  f"“{RELATIONS[relation]}”. Keep one.")
            row.skills[skill.id], row.names[skill.id] = relation, skill.name
            row.notes.append(f"“{meant.name}” is read as {skill.name}.")


def _is_typo(text: str, term: str) -> bool:
    """A slip of a letter or two in a word of four letters or more (as the search allows)."""
    allowance = 0 if len(term) < 4 else 1 if len(term) < 6 else 2
    return allowance > 0 and edit_distance(text, term, allowance) <= allowance


def _suggest(row: Row, preview: Preview, index: SkillIndex, terms, categories) -> None:
    """Unknown skills become suggestions for a lead, filed under the nearest skill's category."""
    for key in [k for k in row.skills if isinstance(k, str)]:
        name = row.names[key]
        if key not in preview.suggestions:
            if len(preview.suggestions) >= MAX_SUGGESTIONS or not categories:
                row.errors.append(f"“{name[:40]}” is not in the vocabulary, and this file "
                                  f"already suggests {MAX_SUGGESTIONS} new skills. Ask a "
                                  "cluster lead to add them first.")
                return
            near = nearest_skills(name, terms, limit=1)
            category = index.by_id[near[0].skill_id].category_id if near else categories[0].id
            preview.suggestions[key] = (name, category)
        category = preview.category_names.get(preview.suggestions[key][1], "")
        row.notes.append(f"“{name}” is not in the vocabulary: it will be added as a suggested "
                         f"skill (under {category}) for a cluster lead to approve.")


def _compare(row: Row, actor: User, preview: Preview, have: set, schools) -> None:
    user, changes = row.user, row.changes
    uid = user.id if user is not None else None
    if user is not None:
        if row.name != user.name:
            changes.append(f"Name: {user.name} → {row.name}")
        if row.job_title is not None and row.job_title != user.job_title:
            changes.append(f"Job title: {user.job_title or '(none)'} → {row.job_title or '(none)'}")
        if row.school_id != user.school_id:
            old = schools[user.school_id].name if user.school_id else "(no school)"
            changes.append(f"School: {old} → {schools[row.school_id].name}")
        if changes and user.id != actor.id and not row.foreign and not can_manage(actor, user):
            row.errors.append("You cannot change this person's account details. Ask your "
                              "cluster lead.")
            return
        if not user.active:
            row.notes.append("This account is deactivated and stays so.")
    elif row.job_title:
        changes.append(f"Job title: {row.job_title}")
    for key, relation in list(row.skills.items()):
        link = preview.links.get((uid, key)) if uid is not None else None
        if link is None:
            changes.append(f"Add {row.names[key]}: {RELATIONS[relation].lower()}")
        elif link.relation != relation:
            changes.append(f"{row.names[key]}: {RELATIONS[link.relation].lower()} → "
                           f"{RELATIONS[relation].lower()}")
        else:
            del row.skills[key]  # already so
    row.offers = [k for k in row.offers if (uid, "offer:" + k) not in have]
    row.qualifications = [k for k in row.qualifications if (uid, "qual:" + k) not in have]
    changes += [f"Add offer: {OFFERS[k]}" for k in row.offers]
    changes += [f"Add qualification: {QUALIFICATIONS[k]}" for k in row.qualifications]
    profile = user.profile if user is not None else None
    current = profile.hours_per_term if profile is not None else 0
    if row.hours is not None and row.hours != current:
        changes.append(f"Hours per term: {current} → {row.hours}")
    else:
        row.hours = None
    phases = [k for k in profile.phases.split("|") if k] if profile is not None else []
    if row.phases is not None and set(row.phases) != set(phases):
        changes.append(f"Phases: {_listed(phases, PHASES)} → {_listed(row.phases, PHASES)}")
    else:
        row.phases = None
    subjects = profile.subjects if profile is not None else ""
    if row.subjects is not None and row.subjects != subjects:
        changes.append(f"Subjects: {subjects or '(none)'} → {row.subjects}")
    else:
        row.subjects = None
    paused = profile is not None and profile.offers_paused
    if row.paused is not None and row.paused != paused:
        changes.append("Offers paused" if row.paused else "Offers no longer paused")
    else:
        row.paused = None
    if row.foreign and changes:
        row.errors.append(ANOTHER_SCHOOL)
    row.state = "new" if user is None else "updated" if changes else "unchanged"


def _listed(kinds: list[str], vocabulary: dict[str, str]) -> str:
    return ", ".join(vocabulary[k] for k in vocabulary if k in kinds) or "(none)"
