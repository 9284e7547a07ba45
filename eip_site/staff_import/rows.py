"""Checking one row of an import on its own, before the directory is asked anything: the
email and name, the school's URN, the hours, and each skill, offer and qualification read
from the words people write ("Phonics: train; Reading")."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email

from ..directory.matching import normalise
from ..directory.models import OFFERS, QUALIFICATIONS, RELATIONS, Skill
from ..people.models import PHASES, User

MAX_SKILLS_PER_ROW = 60

RELATION_WORDS = {k: k for k in RELATIONS} | {v.lower(): k for k, v in RELATIONS.items()} | {
    "training": "train", "trainer": "train", "lead training": "train", "mentoring": "mentor",
    "coach": "mentor", "coaching": "mentor", "experienced": "experience"}
OFFER_WORDS = {"inset": "training", "staff training": "training", "drop in advice": "advice",
               "visits": "hosting"}


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
    lookup = _LOOKUPS[what]
    kinds = []
    for part in _parts(text):
        if _words(part) in lookup:
            kinds.append(lookup[_words(part)])
        else:
            errors.append(f"“{part[:40]}” is not {what}. Use: {'; '.join(vocabulary.values())}.")
    return sorted(set(kinds))


_SEPARATOR = re.compile(r"[;\n]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_LOOKUPS = {"an offer": _lookup(OFFERS, OFFER_WORDS),
            "a qualification": _lookup(QUALIFICATIONS, {}), "a phase": _lookup(PHASES, {})}
YES_NO = {"yes": True, "y": True, "true": True, "1": True, "paused": True,
          "no": False, "n": False, "false": False, "0": False}


@dataclass(eq=False)
class Row:
    number: int
    cells: dict[str, str]
    email: str = ""
    name: str = ""
    job_title: str | None = None   # None: keep the current one
    urn: str = ""
    hours: int | None = None
    phases: list[str] | None = None    # None: keep the current ones (so too below)
    subjects: str | None = None
    paused: bool | None = None
    foreign: bool = False          # someone at another school: read only, never changed
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
    row.email = cells.get("email", "").lower()
    row.name = " ".join(cells.get("name", "").split())  # one line: names reach email headers
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
    if "phases" in cells:
        row.phases = _kinds(cells["phases"], PHASES, "a phase", errors)
    if "subjects" in cells:
        row.subjects = cells["subjects"]
        if len(row.subjects) > 300:
            errors.append("The subjects must be 300 characters or fewer.")
    if "offers_paused" in cells:
        row.paused = YES_NO.get(_words(cells["offers_paused"]))
        if row.paused is None:
            errors.append("Write yes or no in offers_paused.")
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
