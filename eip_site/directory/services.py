"""Rules for profiles and the skill vocabulary. Keyword-only, actor passed in, flush not commit."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import delete, select, update

from .. import audit
from ..clock import utcnow
from ..errors import DomainError, Forbidden, StaleEdit, unique_key
from ..extensions import db
from ..mail import absolute_url
from ..notifications.notices import leads, tell
from ..notifications.reminders import Reminder
from ..people.models import Partnership, User
from .models import (
    OFFERS,
    QUALIFICATIONS,
    RELATIONS,
    VOUCHED_QUALIFICATIONS,
    HelpRequest,
    Offer,
    Profile,
    Qualification,
    Skill,
    SkillCategory,
    UserSkill,
)
from .permissions import (
    CONFIRM_QUALIFICATION,
    EDIT_PROFILE,
    can_confirm_qualifications,
    can_edit_profile,
)

MAX_BIO = 1000


def _check_editor(actor: User, user: User) -> None:
    if not can_edit_profile(actor, user):
        raise Forbidden(EDIT_PROFILE)


def _audit_other(actor: User, user: User, what: str) -> None:
    """A profile changed by someone other than its owner goes in the audit trail."""
    if actor.id != user.id:
        audit.record("profile.changed_by_other", actor=actor, obj=user, summary=what)


def profile_for(user: User) -> Profile:
    if user.profile is None:
        user.profile = Profile(user_id=user.id)
        db.session.add(user.profile)
    return user.profile


def save_profile(*, actor: User, user: User, job_title: str, bio: str, phases: list[str],
                 subjects: str, show_email: bool, offers: list[str], hours_per_term: int,
                 offers_paused: bool, qualifications: list[str],
                 version: int | None = None) -> Profile:
    _check_editor(actor, user)
    profile = profile_for(user)
    if version is not None and profile.version != version and profile.user_id:
        raise StaleEdit()
    if len(bio) > MAX_BIO:
        raise DomainError(f"Keep your introduction to {MAX_BIO} characters or fewer.", field="bio")
    if not 0 <= hours_per_term <= 200:
        raise DomainError("Enter the hours you can give per term, from 0 to 200.",
                          field="hours_per_term")
    if set(offers) - OFFERS.keys():
        raise DomainError("Choose offers from the list.", field="offers")
    if set(qualifications) - QUALIFICATIONS.keys():
        raise DomainError("Choose qualifications from the list.", field="qualifications")
    before = _as_shown(user, profile) if actor.id != user.id else None  # to tell them
    user.job_title = job_title
    profile.bio, profile.subjects, profile.show_email = bio, subjects, show_email
    profile.phases = "|".join(phases)
    profile.hours_per_term, profile.offers_paused = hours_per_term, offers_paused
    profile.confirmed_at = utcnow()
    _replace(Offer, user, offers)
    _set_qualifications(actor, user, qualifications)
    _audit_other(actor, user, "Profile details, offers and qualifications saved")
    db.session.flush()
    if before is not None:
        tell_profile_changed(actor, {user: [f"{label}: {before[label]} → {value}"
                                            for label, value in _as_shown(user, profile).items()
                                            if value != before[label]]})
    return profile


def _as_shown(user: User, profile: Profile) -> dict[str, str]:
    """A profile's fields in words, to say what someone else changed."""
    def kinds(model, names):
        have = db.session.scalars(select(model.kind).where(model.user_id == user.id))
        return ", ".join(names[k] for k in sorted(have)) or "(none)"

    return {"Job title": user.job_title or "(none)",
            "Introduction": "(none)" if not profile.bio else f"“{profile.bio[:80]}”",
            "Phases": (profile.phases or "").replace("|", ", ") or "(none)",
            "Subjects": profile.subjects or "(none)",
            "Email shown": "yes" if profile.show_email else "no",
            "Hours per term": str(profile.hours_per_term or 0),
            "Offers paused": "yes" if profile.offers_paused else "no",
            "Offers": kinds(Offer, OFFERS), "Training": kinds(Qualification, QUALIFICATIONS)}


def tell_profile_changed(actor: User, changes: dict[User, list[str]]) -> dict[int, str]:
    """Someone else (their head, a lead, an import) changed these people's profiles: one
    notice each, listing what changed. Not those who changed their own, or had nothing
    changed."""
    changed = {person.id: lines for person, lines in changes.items() if lines}
    listed = {i: "\n".join(f"- {line}" for line in lines) for i, lines in changed.items()}
    return tell("profile.changed", [p for p in changes if p.id in changed], skip=[actor],
                subject="Your profile in the directory was changed",
                body=lambda p: f"Hello {p.first_name},\n\n{actor.name} has changed your "
                               f"profile in the directory:\n\n{listed[p.id]}\n\nSee it, and "
                               "put right anything that is wrong:\n\n"
                               f"{absolute_url('directory.profile', user_id=p.id)}\n")


def _set_qualifications(actor: User, user: User, kinds: list[str]) -> None:
    """Those still ticked keep their confirmation; a new tick counts once confirmed, at once
    when ``actor`` is the person's head or a lead (they confirm it by ticking it)."""
    had = {q.kind: q for q in db.session.scalars(
        select(Qualification).where(Qualification.user_id == user.id))}
    for kind, row in had.items():
        if kind not in kinds:
            db.session.delete(row)
    vouched = can_confirm_qualifications(actor, user)
    db.session.add_all(Qualification(
        user_id=user.id, kind=k, confirmed_at=utcnow() if vouched else None,
        confirmed_by_id=actor.id if vouched else None)
        for k in sorted(set(kinds) - had.keys()))


def confirm_qualification(*, actor: User, user: User, kind: str) -> Qualification:
    """A head of the person's school or a lead confirms a trained peer reviewer or champion."""
    if not can_confirm_qualifications(actor, user):
        raise Forbidden(CONFIRM_QUALIFICATION)
    row = db.session.get(Qualification, (user.id, kind))
    if row is None or kind not in VOUCHED_QUALIFICATIONS:
        raise DomainError(f"{user.name} no longer lists that training: there is nothing to "
                          "confirm.")
    if row.confirmed_at is None:
        row.confirmed_at, row.confirmed_by_id = utcnow(), actor.id
        db.session.flush()
    return row


def _replace(model, user: User, kinds: list[str]) -> None:
    db.session.execute(delete(model).where(model.user_id == user.id))
    db.session.add_all(model(user_id=user.id, kind=k) for k in sorted(set(kinds)))


def confirm_profile(*, actor: User, user: User) -> Profile:
    _check_editor(actor, user)
    profile = profile_for(user)
    profile.confirmed_at = utcnow()
    db.session.flush()
    return profile


def needs_confirming(profile: Profile | None, today=None) -> bool:
    """From September, a profile not confirmed since the academic year began asks again."""
    now = today or utcnow()
    start_month = Partnership.current().year_start_month
    year = now.year if now.month >= start_month else now.year - 1
    year_start = now.replace(year=year, month=start_month, day=1, hour=0, minute=0, second=0,
                             microsecond=0)
    return profile is None or profile.confirmed_at is None or profile.confirmed_at < year_start


# --- Skills on a profile ----------------------------------------------------------------

def _approved_skill(skill_id: int) -> Skill:
    skill = db.session.get(Skill, skill_id)
    if skill is None:
        raise DomainError("Choose a skill from the list.", field="skill")
    return skill


def find_skill(name: str, skills) -> Skill:
    """The skill a typed name means: its name or a synonym, ignoring case and accents."""
    from .matching import normalise

    wanted = normalise(name)
    for skill in skills:
        if wanted and wanted in {normalise(n) for n in (skill.name, *skill.synonym_list)}:
            return skill
    raise DomainError(f"“{name[:80]}” is not in the skills list. Choose one of the suggestions, "
                      "or suggest a new skill from the skills list.", field="skill")


def set_skill(*, actor: User, user: User, skill_id: int, relation: str) -> UserSkill:
    """Add a skill to a profile, or change how the person relates to it."""
    _check_editor(actor, user)
    if relation not in RELATIONS:
        raise DomainError("Choose how you relate to this skill.", field="relation")
    skill = _approved_skill(skill_id)
    if skill.status != "approved" and skill.suggested_by_id != actor.id:
        raise DomainError("That skill is waiting for a lead to approve it.", field="skill")
    link = db.session.get(UserSkill, (user.id, skill.id))
    if link is None:
        link = UserSkill(user_id=user.id, skill_id=skill.id, relation=relation)
        db.session.add(link)
    link.relation = relation
    _audit_other(actor, user, f"Skill {skill.name}: {RELATIONS[relation]}")
    db.session.flush()
    return link


def remove_skill(*, actor: User, user: User, skill_id: int) -> UserSkill:
    """Remove a skill; returns the removed link so the page can offer to undo."""
    _check_editor(actor, user)
    link = db.session.get(UserSkill, (user.id, skill_id))
    if link is None:
        raise DomainError("That skill is not on this profile any more.")
    removed = UserSkill(user_id=link.user_id, skill_id=link.skill_id, relation=link.relation)
    removed.skill = link.skill
    db.session.delete(link)
    _audit_other(actor, user, f"Skill {removed.skill.name} removed")
    db.session.flush()
    return removed


# --- The vocabulary -----------------------------------------------------------------------

def _clean_synonyms(text: str) -> str:
    parts = [p.strip() for p in text.replace("\n", ",").replace("|", ",").split(",")]
    seen, out = set(), []
    for p in parts:
        if p and p.lower() not in seen and len(p) <= 60:
            seen.add(p.lower())
            out.append(p)
    return "|".join(out)


def _check_terms(skill: Skill | None, name: str, synonyms: str = "") -> None:
    """Each name and synonym means one skill: refuse a word another skill already has,
    naming that skill, so a search for it never finds two."""
    from .matching import normalise

    others = [s for s in db.session.scalars(select(Skill)) if s is not skill]
    for term, field in [(name, "name")] + [(t, "synonyms") for t in synonyms.split("|") if t]:
        wanted = normalise(term)
        for other in others:
            if wanted == normalise(other.name):
                raise DomainError(f"“{other.name}” is already in the skills list.", field=field)
            for synonym in other.synonym_list:
                if wanted == normalise(synonym):
                    raise DomainError(f"“{synonym}” is already another name for "
                                      f"“{other.name}” in the skills list.", field=field)


def suggest_skill(*, actor: User, name: str, category_id: int, why: str = "") -> Skill:
    if db.session.get(SkillCategory, category_id) is None:
        raise DomainError("Choose a category.", field="category_id")
    _check_terms(None, name)
    skill = Skill(name=name, category_id=category_id, status="suggested",
                  suggested_by_id=actor.id, synonyms="")
    with unique_key(lambda: _check_terms(None, name)):
        db.session.add(skill)
    tell("skill.suggested", leads(), skip=[actor], subject=f"Skill suggested: {name}",
         body=lambda lead: f"Hello {lead.first_name},\n\n{actor.name} has suggested a skill, "
                           f"“{name}”" + (f": {why}" if why else "") + ". Approve it, merge it "
                           "into another or turn it down on the skills page:\n\n"
                           + absolute_url("directory.skills") + "\n")
    return skill


def save_skill(*, actor: User, skill: Skill, name: str, category_id: int, synonyms: str,
               approve: bool, version: int | None = None) -> Skill:
    if version is not None and skill.version != version:
        raise StaleEdit()
    if db.session.get(SkillCategory, category_id) is None:
        raise DomainError("Choose a category.", field="category_id")
    synonyms = _clean_synonyms(synonyms)
    _check_terms(skill, name, synonyms)
    approved = approve and skill.status != "approved"
    skill.name, skill.category_id, skill.synonyms = name, category_id, synonyms
    if approve:
        skill.status = "approved"
    db.session.flush()
    if approved:
        _tell_suggester(skill, f"“{skill.name}” is now in the skills list",
                        f"A cluster lead has approved the skill you suggested, “{skill.name}”. "
                        "Anyone can now add it to their profile, and searches find it.")
    return skill


def reject_skill(*, actor: User, skill: Skill, reason: str = "") -> str:
    """Turn down a suggestion: it leaves the list (and the suggester's profile), and the
    suggester is told why. Returns the name it had."""
    if skill.status != "suggested":
        raise DomainError("Only a suggestion can be turned down; an approved skill is merged "
                          "into another instead.")
    name = skill.name
    _tell_suggester(skill, f"Your suggested skill “{name}” was not added",
                    f"A cluster lead has decided not to add “{name}” to the skills list."
                    + (f"\n\nTheir reason: {reason}" if reason else ""))
    db.session.execute(update(HelpRequest).where(HelpRequest.skill_id == skill.id)
                       .values(skill_id=None))
    db.session.execute(delete(UserSkill).where(UserSkill.skill_id == skill.id))
    db.session.delete(skill)
    db.session.flush()
    return name


def _tell_suggester(skill: Skill, subject: str, body: str) -> None:
    person = db.session.get(User, skill.suggested_by_id) if skill.suggested_by_id else None
    if person is not None and person.active:
        tell("skill.decided", [person], subject=subject,
               body=body + f"\n\nThe skills list: {absolute_url('directory.skills')}\n")


def merge_skill(*, actor: User, duplicate: Skill, into: Skill) -> int:
    """Move everyone's links from ``duplicate`` to ``into``, keep its name as a synonym,
    then delete it. Where a person has both, the stronger relation stays. Returns links moved."""
    if duplicate.id == into.id:
        raise DomainError("Choose a different skill to merge into.", field="into")
    order = list(RELATIONS)  # strongest first
    both = {link.user_id: link for link in db.session.scalars(
        select(UserSkill).where(UserSkill.skill_id == into.id,
                                UserSkill.user_id.in_(select(UserSkill.user_id).where(
                                    UserSkill.skill_id == duplicate.id))))}
    moved = 0
    for link in db.session.scalars(select(UserSkill).where(UserSkill.skill_id == duplicate.id)):
        kept = both.get(link.user_id)
        if kept is not None:
            if order.index(link.relation) < order.index(kept.relation):
                kept.relation = link.relation
            db.session.delete(link)
        else:
            moved += 1
    db.session.flush()
    db.session.execute(update(UserSkill).where(UserSkill.skill_id == duplicate.id)
                       .values(skill_id=into.id))
    db.session.execute(update(HelpRequest).where(HelpRequest.skill_id == duplicate.id)
                       .values(skill_id=into.id))
    into.synonyms = _clean_synonyms("|".join([into.synonyms, duplicate.name,
                                              duplicate.synonyms]))
    if duplicate.status == "suggested":
        _tell_suggester(duplicate, f"“{duplicate.name}” is in the skills list as “{into.name}”",
                        f"A cluster lead found that the skill you suggested, “{duplicate.name}”, "
                        f"is already in the skills list as “{into.name}”. Searches for "
                        f"“{duplicate.name}” now find it.")
    db.session.delete(duplicate)
    db.session.flush()
    return moved


def completeness(user: User, details: dict) -> tuple[int, list[tuple[str, str]]]:
    """How complete a profile is (percent) and what is missing: (what to add, field anchor)."""
    profile = user.profile
    checks = [
        (bool(user.job_title), "your job title", "job_title"),
        (bool(profile and profile.bio), "a few lines about you", "bio"),
        (bool(profile and profile.phases), "the phases you have taught", "phases-0"),
        (sum(1 for s in details["skills"] if s.relation != "develop") >= 3,
         "at least three strengths", "skill"),
        (any(s.relation == "develop" for s in details["skills"]),
         "a skill you want to develop", "skill"),
        (bool(details["offers"]), "what you can offer", "offers-0"),
    ]
    done = sum(1 for ok, _, _ in checks if ok)
    return round(100 * done / len(checks)), [(label, anchor) for ok, label, anchor in checks
                                               if not ok]


def reminders(today: date, now: datetime) -> list[Reminder]:
    """In the month the school year starts, everyone whose profile is due to be confirmed."""
    if today.month != Partnership.current().year_start_month:
        return []
    profiles = {p.user_id: p for p in db.session.scalars(select(Profile))}
    return [Reminder(user, f"profile:{today.year}", "Is your profile still correct?",
                     "A new school year has started. Please check that your skills and offers "
                     "are still right, and confirm:\n\n"
                     + absolute_url("directory.profile", user_id=user.id),
                     event="profile.check")
            for user in db.session.scalars(select(User).where(
                User.active.is_(True), User.password_hash.is_not(None)))
            if needs_confirming(profiles.get(user.id), now)]
