"""Import and export of the directory as CSV or XLSX: the "strengths and skills spreadsheet".

``spreadsheets`` reads and writes the files; this module holds the rules. ``check_row`` is a
plain function over one row; ``preview_import`` compares the rows with the database in a
fixed number of queries, whatever the number of rows, and ``apply_import`` makes exactly the
changes it previewed. An import adds and updates: it never removes a skill, offer or
qualification, never changes roles, and never deletes or deactivates anyone. Importing the
same file again finds every row unchanged.
"""

from __future__ import annotations

import hashlib
import json
import re
from contextlib import contextmanager
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ..auth.services import send_invitation
from ..errors import DomainError, StaleEdit
from ..extensions import db
from ..people.models import School, User
from ..people.services import can_manage, manageable_school_ids
from .matching import build_terms, nearest_skills, normalise
from .models import (
    OFFERS,
    QUALIFICATIONS,
    RELATIONS,
    Offer,
    Profile,
    Qualification,
    Skill,
    SkillCategory,
    UserSkill,
)
from .spreadsheets import COLUMNS, EXPORT_COLUMNS, FileProblem, Table, to_csv, to_xlsx

MAX_SUGGESTIONS = 50              # new skills one file may suggest
MAX_SKILLS_PER_ROW = 60
TOKEN_AGE = 60 * 60               # seconds a preview stays confirmable

RELATION_WORDS = {k: k for k in RELATIONS} | {v.lower(): k for k, v in RELATIONS.items()} | {
    "training": "train", "trainer": "train", "lead training": "train", "mentoring": "mentor",
    "coach": "mentor", "coaching": "mentor", "experienced": "experience"}
OFFER_WORDS = {"inset": "training", "staff training": "training", "drop in advice": "advice",
               "visits": "hosting"}


class PreviewProblem(DomainError):
    status = 400


class PreviewChanged(DomainError):
    """The directory changed between preview and confirm: show the new preview instead."""

    status = 409

    def __init__(self, preview: "Preview"):
        super().__init__("The directory has changed since you checked this file. Nothing has "
                         "been saved: check the rows again, then confirm.")
        self.preview = preview


# --- Checking one row -------------------------------------------------------------------

class SkillIndex:
    """Skills by name or synonym, case- and accent-insensitively (approved and suggested)."""

    def __init__(self, skills):
        self.skills = list(skills)
        self.by_id: dict[int, Skill] = {s.id: s for s in self.skills}
        self.names: dict[str, Skill] = {normalise(s.name): s for s in self.skills}
        self.synonyms: dict[str, dict[int, Skill]] = {}
        for s in self.skills:
            for synonym in s.synonym_list:
                self.synonyms.setdefault(normalise(synonym), {})[s.id] = s

    def find(self, text: str) -> list:
        """[skill], several skills when a synonym is ambiguous, or [] when unknown."""
        key = normalise(text)
        if key in self.names:
            return [self.names[key]]
        return sorted(self.synonyms.get(key, {}).values(), key=lambda s: s.name)


def _words(text: str) -> str:
    return " ".join(text.lower().replace("_", " ").split())


def _lookup(vocabulary: dict[str, str], aliases: dict[str, str]) -> dict[str, str]:
    return {_words(k): k for k in vocabulary} | {_words(v): k for k, v in vocabulary.items()} \
        | aliases


def _parts(text: str) -> list[str]:
    return [p.strip() for p in _SEPARATOR.split(text) if p.strip()] if text else []


def _kinds(text: str, vocabulary: dict[str, str], what: str, errors: list[str]) -> list[str]:
    lookup = _OFFER_LOOKUP if vocabulary is OFFERS else _QUALIFICATION_LOOKUP
    kinds = []
    for part in _parts(text):
        if _words(part) in lookup:
            kinds.append(lookup[_words(part)])
        else:
            errors.append(f"“{part[:40]}” is not {what}. Use: {'; '.join(vocabulary.values())}.")
    return sorted(set(kinds))


_SEPARATOR = re.compile(r"[;\n]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_OFFER_LOOKUP = _lookup(OFFERS, OFFER_WORDS)
_QUALIFICATION_LOOKUP = _lookup(QUALIFICATIONS, {})


@dataclass(eq=False)
class Row:
    number: int
    cells: dict[str, str]
    email: str = ""
    name: str = ""
    job_title: str | None = None   # None: keep the current one
    urn: str = ""
    hours: int | None = None
    skills: dict = field(default_factory=dict)   # skill id, or "new:<name>" -> relation
    offers: list[str] = field(default_factory=list)
    qualifications: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    state: str = "error"           # new | updated | unchanged | error
    user: User | None = None
    school_id: int | None = None
    names: dict = field(default_factory=dict)    # skill key -> name to show


def check_row(number: int, cells: dict[str, str], index: SkillIndex) -> Row:
    """Everything that can be said about a row without the database."""
    row = Row(number, cells)
    errors = row.errors
    for column, text in cells.items():
        if _CONTROL.search(text):
            errors.append(f"Remove the hidden control characters from the {column} column.")
    row.email, row.name = cells.get("email", "").lower(), cells.get("name", "")
    if not row.email:
        errors.append("Enter an email address.")
    else:
        try:
            validate_email(row.email, check_deliverability=False)
        except EmailNotValidError:
            errors.append("Enter the email address in the correct format, like "
                          "name@school.org.uk.")
        if len(row.email) > 254:
            errors.append("The email address must be 254 characters or fewer.")
    if not row.name:
        errors.append("Enter the person's full name.")
    elif len(row.name) > 120:
        errors.append(f"The name must be 120 characters or fewer (it has {len(row.name):,}).")
    if "job_title" in cells:
        row.job_title = cells["job_title"]
        if len(row.job_title) > 120:
            errors.append("The job title must be 120 characters or fewer.")
    row.urn = cells.get("school_urn", "")
    if row.urn and not re.fullmatch(r"[0-9]{6}", row.urn):
        errors.append("The school URN must be 6 digits, like 100000.")
    if "hours_per_term" in cells:
        hours = cells["hours_per_term"]
        if re.fullmatch(r"[0-9]{1,3}", hours) and int(hours) <= 200:
            row.hours = int(hours)
        else:
            errors.append("Hours per term must be a whole number from 0 to 200.")
    row.offers = _kinds(cells.get("offers", ""), OFFERS, "an offer", errors)
    row.qualifications = _kinds(cells.get("qualifications", ""), QUALIFICATIONS,
                                "a qualification", errors)
    _check_skills(row, cells.get("skills", ""), "experience", index)
    _check_skills(row, cells.get("wants_to_develop", ""), "develop", index)
    return row


def _check_skills(row: Row, text: str, default: str, index: SkillIndex) -> None:
    for part in _parts(text):
        name, colon, word = part.rpartition(":")
        name, word = (name.strip(), _words(word)) if colon else (part, "")
        relation = RELATION_WORDS.get(word, "") if word else default
        if not relation or (default == "develop" and relation != "develop"):
            row.errors.append(f"“{word[:30]}” after {name[:40]} is not one of: train, mentor, "
                              "experience." if default != "develop" else
                              f"List only skill names in wants_to_develop, not “{part[:40]}”.")
            continue
        found = index.find(name)
        if len(found) > 1:
            row.errors.append(f"“{name[:40]}” could mean "
                              + " or ".join(s.name for s in found) + ": use the full name.")
            continue
        if found:
            key, shown = found[0].id, found[0].name
            if found[0].status != "approved":
                row.notes.append(f"{shown} is a suggested skill waiting for a lead's approval.")
        elif not normalise(name):
            row.errors.append(f"“{name[:40]}” is not a skill name.")
            continue
        elif len(name) > 80:
            row.errors.append(f"“{name[:40]}…” is too long for a skill name (80 characters "
                              "at most).")
            continue
        else:
            key, shown = "new:" + normalise(name), name
        if row.skills.get(key, relation) != relation:
            row.errors.append(f"{shown} is listed twice, as “{RELATIONS[row.skills[key]]}” and "
                              f"“{RELATIONS[relation]}”. Keep one.")
        row.skills[key], row.names[key] = relation, shown
    if len(row.skills) > MAX_SKILLS_PER_ROW:
        row.errors.append(f"List at most {MAX_SKILLS_PER_ROW} skills for one person.")


# --- Preview: compare the rows with the directory ----------------------------------------

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


def preview_import(*, actor: User, table: Table, school_id: int | None = None) -> Preview:
    """What importing ``table`` would do, row by row. Reads only; nothing is written."""
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
        if not row.errors:
            _place(row, actor, users.get(row.email), school_id, schools, by_urn)
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
    elif chosen is not None and school.id != chosen.id:
        row.errors.append(f"You can only import staff for your own school, {chosen.name} "
                          f"(URN {chosen.urn})." if head else
                          f"This row is for {school.name}, but you are importing for "
                          f"{chosen.name}. Choose “All schools” to import several.")
    elif school is None and user is None:
        row.errors.append("Enter the URN of the person's school in the school_urn column.")
    elif user is not None and head and user.school_id != actor.school_id:
        row.errors.append("This person has an account at another school. Ask your cluster "
                          "lead to change it.")
    else:
        row.user = user
        row.school_id = school.id if school is not None else user.school_id


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
        if changes and user.id != actor.id and not can_manage(actor, user):
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
    row.state = "new" if user is None else "updated" if changes else "unchanged"


# --- Carrying the preview to the confirm step --------------------------------------------
# The app keeps nothing in memory between requests (several instances may serve them), so
# the preview page carries the rows that would change in a hidden field: signed with the
# app's secret (so they cannot be altered), compressed, and valid for an hour. Confirming
# checks them again against the database and refuses if the outcome would differ.

def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="directory-import")


def dump_token(preview: Preview, *, actor: User) -> str:
    rows = [[r.number, [r.cells.get(c, "") for c in COLUMNS]] for r in preview.ready]
    token = _serializer().dumps({"u": actor.id, "s": preview.school_id, "n": preview.filename,
                                 "r": rows, "h": preview.fingerprint})
    if len(token) > current_app.config.get("MAX_FORM_MEMORY_SIZE", 500_000) - 10_000:
        raise FileProblem("This file holds too much to import in one go. Split it into "
                          "smaller files.")
    return token


def load_token(token: str, *, actor: User) -> tuple[Table, int | None, str]:
    try:
        data = _serializer().loads(token, max_age=TOKEN_AGE)
    except SignatureExpired as exc:
        raise PreviewProblem("This preview is more than an hour old. Upload the file again.") \
            from exc
    except BadSignature as exc:
        raise PreviewProblem("This preview could not be read. Upload the file again.") from exc
    if data.get("u") != actor.id:
        raise PreviewProblem("This preview could not be read. Upload the file again.")
    rows = [(number, {c: v for c, v in zip(COLUMNS, values) if v})
            for number, values in data["r"]]
    return Table(data["n"], rows), data["s"], data["h"]


# --- Applying ------------------------------------------------------------------------------

@dataclass
class Summary:
    created: int
    updated: int
    suggested: int
    invited: int

    @property
    def message(self) -> str:
        parts = [f"Import saved: {self.created} new {'person' if self.created == 1 else 'people'}"
                 f" and {self.updated} updated."]
        if self.suggested:
            parts.append(f"{self.suggested} new skill{'s' if self.suggested > 1 else ''} "
                         "suggested for a cluster lead to approve.")
        if self.invited:
            parts.append(f"Invitations emailed to {self.invited} "
                         f"{'person' if self.invited == 1 else 'people'}.")
        return " ".join(parts)


def confirm_import(*, actor: User, token: str, invite: bool = False) -> Summary:
    """Check the previewed rows again and apply them, or PreviewChanged if the outcome moved."""
    table, school_id, fingerprint = load_token(token, actor=actor)
    preview = preview_import(actor=actor, table=table, school_id=school_id)
    if preview.fingerprint != fingerprint or any(r.state == "error" for r in preview.rows):
        raise PreviewChanged(preview)
    return apply_import(actor=actor, preview=preview, invite=invite)


@contextmanager
def _clash_is_stale():
    try:
        yield
    except IntegrityError as exc:  # someone added the same person or skill a moment ago
        raise StaleEdit("Someone changed the directory while you were importing. Nothing "
                        "was saved: upload the file again.") from exc


def apply_import(*, actor: User, preview: Preview, invite: bool = False) -> Summary:
    """Make the previewed changes (flush, no commit). New people get accounts with no
    password; ``invite`` emails each of them a link to set one."""
    skills = {key: Skill(name=name, category_id=category, status="suggested",
                         suggested_by_id=actor.id, synonyms="")
              for key, (name, category) in preview.suggestions.items()}
    db.session.add_all(skills.values())
    for row in preview.ready:
        user = row.user
        if user is None:
            continue
        if row.name != user.name:
            user.name = row.name
        if row.job_title is not None and row.job_title != user.job_title:
            user.job_title = row.job_title
        if row.school_id != user.school_id:
            user.school_id = row.school_id
    fresh = [row for row in preview.ready if row.user is None]
    new_ids: set[int] = set()
    with _clash_is_stale():
        db.session.flush()
        if fresh:  # one multi-row INSERT, not one per person
            ids = dict(db.session.execute(insert(User).returning(User.email, User.id), [
                {"name": r.name, "email": r.email, "school_id": r.school_id,
                 "job_title": r.job_title or "", "active": True} for r in fresh]).all())
            created = {u.id: u for u in db.session.scalars(
                select(User).where(User.id.in_(ids.values())))}
            for row in fresh:
                row.user = created[ids[row.email]]
            new_ids = set(created)
    for row in preview.ready:
        uid = row.user.id
        for key, relation in row.skills.items():
            skill_id = skills[key].id if isinstance(key, str) else key
            link = preview.links.get((uid, skill_id))
            if link is not None:
                link.relation = relation
            else:
                db.session.add(UserSkill(user_id=uid, skill_id=skill_id, relation=relation))
        db.session.add_all(Offer(user_id=uid, kind=k) for k in row.offers)
        db.session.add_all(Qualification(user_id=uid, kind=k) for k in row.qualifications)
        if row.hours is not None:
            profile = None if uid in new_ids else row.user.profile
            if profile is None:
                db.session.add(Profile(user_id=uid, hours_per_term=row.hours))
            else:
                profile.hours_per_term = row.hours
    with _clash_is_stale():
        db.session.flush()
    if invite:
        for row in fresh:
            send_invitation(user=row.user, actor=actor)
    return Summary(len(fresh), len(preview.ready) - len(fresh), len(skills),
                   len(fresh) if invite else 0)


# --- Export and template -------------------------------------------------------------------

def export_rows() -> list[list]:
    """Everyone the directory shows (active), as EXPORT_COLUMNS. Email only for
    those who show it; offers only while not paused. Five queries whatever the size."""
    users = list(db.session.scalars(
        select(User).where(User.active.is_(True))
        .options(selectinload(User.profile))))
    skills: dict[int, list[tuple[str, str]]] = {}
    for uid, name, relation in db.session.execute(
            select(UserSkill.user_id, Skill.name, UserSkill.relation)
            .join(Skill, Skill.id == UserSkill.skill_id).where(Skill.status == "approved")):
        skills.setdefault(uid, []).append((name, relation))
    offers: dict[int, list[str]] = {}
    for uid, kind in db.session.execute(select(Offer.user_id, Offer.kind)):
        offers.setdefault(uid, []).append(OFFERS[kind])
    quals: dict[int, list[str]] = {}
    for uid, kind in db.session.execute(select(Qualification.user_id, Qualification.kind)):
        quals.setdefault(uid, []).append(QUALIFICATIONS[kind])
    order = list(RELATIONS)
    rows = []
    for user in sorted(users, key=lambda u: (u.school.name if u.school else "", u.name.lower())):
        profile = user.profile
        mine = sorted(skills.get(user.id, []), key=lambda s: (order.index(s[1]), s[0].lower()))
        paused = profile is not None and profile.offers_paused
        rows.append([
            user.email if profile is None or profile.show_email else "",
            user.name, user.job_title,
            user.school.urn if user.school else "", user.school.name if user.school else "",
            "; ".join(f"{n}: {r}" for n, r in mine if r != "develop"),
            "; ".join(n for n, r in mine if r == "develop"),
            "" if paused else "; ".join(sorted(offers.get(user.id, []))),
            profile.hours_per_term if profile is not None else 0,
            "; ".join(sorted(quals.get(user.id, []))),
        ])
    return rows


def export_file(fmt: str) -> bytes:
    rows = export_rows()
    return to_csv(EXPORT_COLUMNS, rows) if fmt == "csv" else \
        to_xlsx([("Directory", EXPORT_COLUMNS, rows)])


def template_file(fmt: str) -> bytes:
    """An empty sheet with the import columns; the XLSX also explains them and lists skills."""
    header = list(COLUMNS)
    if fmt == "csv":
        return to_csv(header, [])
    skills = db.session.scalars(select(Skill).where(Skill.status == "approved"))
    vocabulary = sorted(([s.category.name, s.name, ", ".join(s.synonym_list)] for s in skills),
                        key=lambda r: (r[0], r[1].lower()))
    relations = [[f"{k} ({v.lower()})", ""] for k, v in RELATIONS.items() if k != "develop"]
    return to_xlsx([
        ("Staff", header, []),
        ("How to fill this in", ["Column", "What to put in it"],
         [[c, help_] for c, help_ in COLUMNS.items()] + [["", ""], ["Words for skills", ""]]
         + relations),
        ("Skills", ["Category", "Skill", "Other names"], vocabulary),
    ])
