"""Profiles: view, edit, and quick skill editing (htmx, and plain forms without JavaScript)."""

from __future__ import annotations

from flask import flash, request, url_for
from flask_login import current_user

from ..forms import submit
from ..htmx import hx_redirect, is_htmx, render_page
from ..people.models import User
from . import bp, queries, services
from .forms import ProfileForm, SkillLinkForm
from .models import QUALIFICATIONS, RELATIONS, UserSkill
from .permissions import can_confirm_qualifications, can_edit_profile, profile_for


@bp.route("/people/<int:user_id>")
def profile(user_id: int):
    user = profile_for(current_user, user_id)
    return render_page("directory/profile.html", person=user,
                       details=queries.profile_details(user.id),
                       can_edit=can_edit_profile(current_user, user),
                       can_confirm=can_confirm_qualifications(current_user, user),
                       needs_confirming=services.needs_confirming(user.profile))


@bp.route("/people/qualifications")
def qualifications():
    """Trained peer reviewers and champions waiting for this head (their school's) or lead
    (everyone's) to confirm them: until then they are not picked for review teams."""
    return render_page("directory/qualifications.html", waiting=queries.to_confirm(current_user))


@bp.route("/people/<int:user_id>/qualifications/<kind>/confirm", methods=["POST"])
def qualification_confirm(user_id: int, kind: str):
    user = profile_for(current_user, user_id)
    services.confirm_qualification(actor=current_user, user=user, kind=kind)
    flash(f"Confirmed: {user.name}, {QUALIFICATIONS[kind].lower()}.", "success")
    back = request.form.get("back") == "list"
    return hx_redirect(url_for("directory.qualifications") if back
                       else url_for("directory.profile", user_id=user.id))


@bp.route("/profile/edit", methods=["GET", "POST"], endpoint="profile_edit")
@bp.route("/people/<int:user_id>/edit", methods=["GET", "POST"], endpoint="profile_edit")
def profile_edit(user_id: int | None = None):
    user = profile_for(current_user, user_id, edit=True)
    details = queries.profile_details(user.id)
    form = ProfileForm(data=_profile_data(user, details))
    done = submit(form, lambda: services.save_profile(
        actor=current_user, user=user, job_title=form.job_title.data or "",
        bio=form.bio.data or "", phases=form.phases.data or [],
        subjects=form.subjects.data or "", show_email=form.show_email.data,
        offers=form.offers.data or [], hours_per_term=form.hours_per_term.data or 0,
        offers_paused=form.offers_paused.data,
        qualifications=form.qualifications.data or [], version=form.version_number),
        "Profile saved.", url_for("directory.profile", user_id=user.id))
    if done:
        return done
    vocab = queries.vocabulary()
    return render_page("directory/profile_edit.html", form=form, person=user, details=details,
                       skill_form=SkillLinkForm(formdata=None), vocab=vocab,
                       undo=_undo_from_query(vocab, details), status=form.status)


def _profile_data(user: User, details: dict) -> dict:
    """What the profile form starts from (a submitted form overrides it)."""
    p = user.profile
    return {"job_title": user.job_title, "bio": p.bio if p else "",
            "phases": [x for x in (p.phases if p else "").split("|") if x],
            "subjects": p.subjects if p else "", "offers": details["offers"],
            "hours_per_term": p.hours_per_term if p else 0,
            "offers_paused": p.offers_paused if p else False,
            "qualifications": details["qualifications"],
            "show_email": p.show_email if p else True, "version": p.version if p else ""}


def _skills_response(user: User, skill_form: SkillLinkForm | None = None, *, undo=None,
                     added=None, changed: int | None = None, status: int = 200):
    """The skills editor fragment for htmx; without JavaScript, back to the edit page (which
    offers the undo itself, from the query string, as no server state is kept for it)."""
    if not is_htmx() and status == 200:
        undo_args = {"removed": undo.skill_id, "relation": undo.relation} if undo else {}
        return hx_redirect(url_for("directory.profile_edit", user_id=user.id, **undo_args)
                           + "#skills")
    return render_page("directory/profile_edit.html", "directory/_skills.html", person=user,
                       details=queries.profile_details(user.id), form=None,
                       skill_form=skill_form or SkillLinkForm(formdata=None),
                       vocab=queries.vocabulary(), undo=undo, added=added, changed=changed,
                       status=status)


def _undo_from_query(vocab, details: dict) -> UserSkill | None:
    """The Undo offer after a removal without JavaScript: only for a skill still absent."""
    skill = vocab.skills.get(request.args.get("removed", type=int))
    relation = request.args.get("relation", "")
    if skill is None or relation not in RELATIONS or any(
            link.skill_id == skill.id for link in details["skills"]):
        return None
    undo = UserSkill(skill_id=skill.id, relation=relation)
    undo.skill = skill
    return undo


@bp.route("/people/<int:user_id>/skills", methods=["POST"])
def skill_add(user_id: int):
    user = profile_for(current_user, user_id, edit=True)
    form = SkillLinkForm()
    done = submit(form, lambda: _add_skill(user, form), None,
                  lambda skill: _skills_response(user, added=skill))
    if done:
        return done
    if not is_htmx():
        details = queries.profile_details(user.id)
        return render_page("directory/profile_edit.html", person=user,
                           form=ProfileForm(formdata=None, data=_profile_data(user, details)),
                           details=details, skill_form=form,
                           vocab=queries.vocabulary(), status=form.status)
    return _skills_response(user, form, status=form.status)


def _add_skill(user: User, form: SkillLinkForm):
    skill = services.find_skill(form.skill.data, queries.vocabulary().skills.values())
    services.set_skill(actor=current_user, user=user, skill_id=skill.id,
                       relation=form.relation.data)
    return skill


@bp.route("/people/<int:user_id>/skills/<int:skill_id>", methods=["POST"])
def skill_change(user_id: int, skill_id: int):
    user = profile_for(current_user, user_id, edit=True)
    services.set_skill(actor=current_user, user=user, skill_id=skill_id,
                       relation=request.form.get("relation", ""))
    return _skills_response(user, changed=skill_id)


@bp.route("/people/<int:user_id>/skills/<int:skill_id>/remove", methods=["POST"])
def skill_remove(user_id: int, skill_id: int):
    user = profile_for(current_user, user_id, edit=True)
    removed = services.remove_skill(actor=current_user, user=user, skill_id=skill_id)
    return _skills_response(user, undo=removed)


@bp.route("/people/<int:user_id>/confirm", methods=["POST"])
def profile_confirm(user_id: int):
    user = profile_for(current_user, user_id, edit=True)
    services.confirm_profile(actor=current_user, user=user)
    flash("Thank you: your profile is marked as up to date for this year.", "success")
    return hx_redirect(url_for("directory.profile", user_id=user.id))
