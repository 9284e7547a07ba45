from __future__ import annotations

from flask import flash, request, url_for
from flask_login import current_user

from .. import outbox
from ..auth import totp
from ..auth.recent import recent_auth_needed
from ..errors import DomainError
from ..extensions import db
from ..htmx import hx_redirect, render_page
from ..people import queries, services
from ..people.models import Partnership, School, User
from ..security import ROLE_LABELS, ROLES, STAFF
from ..forms import submit
from . import bp
from .forms import FilterForm, PartnershipForm, SchoolForm, UserForm
from .permissions import account_for



# --- Partnership and schools ------------------------------------------------------------

@bp.route("/partnership", methods=["GET", "POST"])
def partnership():
    row = Partnership.current()
    form = PartnershipForm(obj=row)
    done = submit(form, lambda: services.update_partnership(
        actor=current_user, name=form.name.data, year_start_month=form.year_start_month.data,
        max_reviews_per_year=form.max_reviews_per_year.data, version=form.version_number,
        controller_name=form.controller_name.data or "", dpo_contact=form.dpo_contact.data or "",
        privacy_text=form.privacy_text.data or ""), "Partnership settings saved.", url_for("admin.schools"))
    return done or render_page("admin/partnership.html", form=form, status=form.status)


@bp.route("/schools")
def schools():
    return render_page("admin/schools.html", schools=queries.schools(),
                       staff_counts=queries.school_staff_counts())


def _school_form(school: School | None):
    form = SchoolForm(obj=school)
    if request.method == "GET":
        form.email_domains.data = "\n".join(services.school_domains(school))
        form.passwords_off.data = school is not None and not school.password_sign_in
    elif school is not None and school.password_sign_in and request.form.get("passwords_off"):
        again = recent_auth_needed(url_for("admin.school_edit", school_id=school.id))
        if again:  # turning passwords off asks for the password or code again first
            return again
    done = submit(form, lambda: services.save_sign_in(school=services.save_school(
        actor=current_user, school=school, name=form.name.data, urn=form.urn.data,
        phase=form.phase.data, town=form.town.data or "",
        local_authority=form.local_authority.data or "", website=form.website.data or "",
        active=form.active.data, version=form.version_number),
        domains=(form.email_domains.data or "").replace(",", "\n").splitlines(),
        entra_tenant_id=form.entra_tenant_id.data or "",
        sso_creates_accounts=form.sso_creates_accounts.data,
        password_sign_in=not form.passwords_off.data),
        f"{form.name.data} saved.", url_for("admin.schools"))
    return done or render_page("admin/school_form.html", form=form, school=school,
                               status=form.status)


@bp.route("/schools/new", methods=["GET", "POST"])
def school_new():
    return _school_form(None)


@bp.route("/schools/<int:school_id>", methods=["GET", "POST"])
def school_edit(school_id: int):
    return _school_form(db.get_or_404(School, school_id))


# --- Users ------------------------------------------------------------------------------

def _school_choices(blank: str, *, blank_for_all: bool = True):
    """The schools the person manages, after ``blank``; a head's list of their own school
    has no blank unless ``blank_for_all`` (a filter's "All schools")."""
    allowed = services.manageable_school_ids(current_user)
    first = {"": blank} if blank_for_all or allowed is None else {}
    return first | {s.id: s.name for s in queries.schools()
                    if allowed is None or s.id in allowed}


@bp.route("/users")
def users():
    form = FilterForm(request.args)
    form.school.choices = _school_choices("All schools")
    form.role.choices = {"": "Any role"} | ROLE_LABELS
    form.validate()
    page = queries.users(
        q=form.q.data or "", school_ids=services.manageable_school_ids(current_user),
        school_id=form.school.data, role=form.role.data or "", status=form.status.data or "",
        page=form.page.data or 1)
    return render_page("admin/users.html", "admin/_users.html", form=form, page=page,
                       manageable={u.id for u in page.items
                                   if services.can_manage(current_user, u)})


def _user_form(user: User | None):
    form = UserForm(obj=user)
    if user is not None and request.method == "GET":
        form.roles.data = sorted(user.roles - {STAFF})
    # Only leads and admins place someone outside a school: a head is not offered it.
    form.school_id.choices = _school_choices("No school (partnership staff)", blank_for_all=False)
    grantable = services.grantable_roles(current_user)
    form.roles.choices = {r: ROLE_LABELS[r] for r in ROLES if r in grantable
                          or (user is not None and r in user.roles and r != STAFF)}
    fields = lambda: dict(  # noqa: E731
        actor=current_user, name=form.name.data, email=form.email.data,
        school_id=form.school_id.data, job_title=form.job_title.data or "",
        roles=set(form.roles.data or ()))
    if user is not None and request.method == "POST" \
            and set(request.form.getlist("roles")) != user.roles - {STAFF}:
        again = recent_auth_needed(url_for("admin.user_edit", user_id=user.id))
        if again:  # a change of roles asks for the password again first
            return again
    if user is None:
        action = lambda: services.create_user(**fields())  # noqa: E731
        success = f"Account created. An invitation has been emailed to {form.email.data}."
    else:
        action = lambda: services.update_user(user=user, version=form.version_number, **fields())  # noqa: E731
        success = f"{form.name.data}'s account saved."
    done = submit(form, action, success, url_for("admin.users"))
    return done or render_page("admin/user_form.html", form=form, user=user,
                               grantable=grantable, status=form.status)


@bp.route("/users/new", methods=["GET", "POST"])
def user_new():
    return _user_form(None)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user_edit(user_id: int):
    return _user_form(account_for(current_user, user_id))


@bp.route("/users/<int:user_id>/active", methods=["POST"])
def user_active(user_id: int):
    user = db.get_or_404(User, user_id)  # the service says why it may not change
    active = request.form.get("active") == "1"
    services.set_active(actor=current_user, user=user, active=active)
    flash(f"{user.name} {'reactivated' if active else 'deactivated and signed out'}.", "success")
    return hx_redirect(url_for("admin.user_edit", user_id=user.id))


@bp.route("/users/<int:user_id>/invite", methods=["POST"])
def user_invite(user_id: int):
    user = db.get_or_404(User, user_id)
    services.resend_invite(actor=current_user, user=user)
    flash(f"A new invitation has been emailed to {user.email}.", "success")
    return hx_redirect(url_for("admin.user_edit", user_id=user.id))


@bp.route("/users/<int:user_id>/two-step", methods=["GET", "POST"])
def user_second_factor(user_id: int):
    """Reset someone's two-step sign-in (a lost phone), after a confirmation page."""
    user = account_for(current_user, user_id)
    if request.method == "POST":
        totp.reset(user=user, actor=current_user)
        flash(f"{user.name}'s two-step sign-in was reset and they were signed out. "
              "We have emailed them.", "success")
        return hx_redirect(url_for("admin.user_edit", user_id=user.id))
    return render_page("admin/user_second_factor.html", user=user,
                       enrolled=totp.enrolment(user) is not None)


# --- Mail -------------------------------------------------------------------------------------

@bp.route("/mail")
def mail():
    return render_page("admin/mail.html", counts=outbox.counts(),
                       lists={state: outbox.listed(state) for state in outbox.STATES},
                       states=outbox.STATES)


@bp.route("/mail/<int:message_id>/retry", methods=["POST"])
def mail_retry(message_id: int):
    row = db.get_or_404(outbox.OutboxMessage, message_id)
    if row.state == "sent":
        raise DomainError(f"The email to {row.to} was sent already.")
    outbox.retry(row)
    flash(f"The email to {row.to} will be tried again in a moment.", "success")
    return hx_redirect(url_for("admin.mail"))
