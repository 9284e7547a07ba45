"""The skill vocabulary: browse, suggest; leads approve, rename and merge."""

from __future__ import annotations

from flask import flash, request, url_for
from flask_login import current_user

from ..errors import DomainError
from ..extensions import db
from ..forms import submit
from ..htmx import hx_redirect, render_page
from . import bp, queries, services
from .forms import MergeForm, RejectForm, SkillForm, SuggestSkillForm
from .models import Skill


def _category_choices(vocab) -> dict:
    return {"": "Choose a category"} | {c.id: c.name for c in vocab.categories}


@bp.route("/skills/")
def skills():
    vocab = queries.vocabulary(include_suggested=True)
    form = SuggestSkillForm(formdata=None)
    form.category_id.choices = _category_choices(vocab)
    return render_page("directory/skills.html", vocab=vocab, form=form,
                       counts=queries.skill_counts())


@bp.route("/skills/suggest", methods=["POST"])
def skill_suggest():
    vocab = queries.vocabulary(include_suggested=True)
    form = SuggestSkillForm()
    form.category_id.choices = _category_choices(vocab)
    return submit(form, lambda: services.suggest_skill(
        actor=current_user, name=form.name.data, category_id=form.category_id.data),
        lambda skill: f"Thank you. “{skill.name}” will be added once a cluster lead approves it.",
        url_for("directory.skills")) or render_page("directory/skills.html", vocab=vocab, form=form,
                       counts=queries.skill_counts(), status=form.status)


def _edit_page(skill: Skill, form: SkillForm | None = None, reject: RejectForm | None = None):
    """The skill's page: its details, merge and (for a suggestion) turn down."""
    vocab = queries.vocabulary(include_suggested=True)
    if form is None:
        form = SkillForm(formdata=None, obj=skill,
                         data={"approve": True} if skill.status == "approved" else None)
        form.synonyms.data = ", ".join(skill.synonym_list)
    form.category_id.choices = _category_choices(vocab)
    merge = MergeForm(formdata=None)
    merge.into.choices = {"": "Choose a skill"} | {
        s.id: s.name for s in sorted(vocab.skills.values(), key=lambda s: s.name)
        if s.id != skill.id and s.status == "approved"}
    reject = reject or RejectForm(formdata=None)
    return render_page("directory/skill_edit.html", skill=skill, form=form, merge=merge,
                       reject=reject, people=queries.skill_counts().get(skill.id, 0),
                       status=max(form.status, reject.status))


@bp.route("/skills/<int:skill_id>", methods=["GET", "POST"])
def skill_edit(skill_id: int):
    skill = db.get_or_404(Skill, skill_id)
    if request.method == "GET":
        return _edit_page(skill)
    form = SkillForm()
    form.category_id.choices = _category_choices(queries.vocabulary(include_suggested=True))
    return submit(form, lambda: services.save_skill(
        actor=current_user, skill=skill, name=form.name.data, category_id=form.category_id.data,
        synonyms=form.synonyms.data or "", approve=form.approve.data,
        version=form.version_number),
        f"“{form.name.data}” saved.", url_for("directory.skills") + f"#skill-{skill_id}") \
        or _edit_page(skill, form=form)


@bp.route("/skills/<int:skill_id>/reject", methods=["POST"])
def skill_reject(skill_id: int):
    skill = db.get_or_404(Skill, skill_id)
    reject = RejectForm()
    return submit(reject, lambda: services.reject_skill(
        actor=current_user, skill=skill, reason=reject.reason.data or ""),
        lambda name: f"“{name}” turned down and removed from the suggestions.",
        url_for("directory.skills")) or _edit_page(skill, reject=reject)


@bp.route("/skills/<int:skill_id>/merge", methods=["POST"])
def skill_merge(skill_id: int):
    duplicate = db.get_or_404(Skill, skill_id)
    form = MergeForm()
    into = db.session.get(Skill, form.into.data) if form.into.data else None
    if into is None:
        raise DomainError("Choose the skill to keep.")
    name = duplicate.name
    moved = services.merge_skill(actor=current_user, duplicate=duplicate, into=into)
    flash(f"“{name}” merged into “{into.name}”: {moved} "
          f"{'person' if moved == 1 else 'people'} moved across, and “{name}” is now a synonym.",
          "success")
    return hx_redirect(url_for("directory.skill_edit", skill_id=into.id))

