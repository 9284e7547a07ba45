"""The privacy notice, "download my data", the audit trail's page and export, and erasing a
person."""

from __future__ import annotations

from flask import current_app, make_response, request, url_for
from flask_login import current_user

from .. import audit
from ..clock import today
from ..extensions import db
from ..forms import submit
from ..htmx import render_page
from ..people.models import Partnership, User
from ..security import allow, found
from . import bp, erasure, export, queries, retention
from .forms import AuditFilterForm, EraseForm
from .registry import PERSON_TABLES


@bp.route("/privacy")
def notice():
    return render_page("privacy/notice.html", partnership=Partnership.current(),
                       schedule=retention.schedule(current_app.config),
                       cookies=_cookies())


def _cookies() -> list[tuple[str, str]]:
    cfg = current_app.config
    session = ("Keeps you signed in while you use the site, and carries the security token "
               "forms check. Ends when you close the browser.")
    remember = ("Only if you tick “Keep me signed in”: keeps you signed in on this device for "
                f"up to {cfg['REMEMBER_COOKIE_DURATION'] // 86400} days.")
    return [(cfg["SESSION_COOKIE_NAME"], session), (cfg["REMEMBER_COOKIE_NAME"], remember)]


def _zip(body: bytes, person: User):
    response = make_response(body)
    response.headers["Content-Type"] = "application/zip"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="personal-data-{person.id}-{today().isoformat()}.zip"')
    return response


@bp.route("/account/data")
def my_data():
    return _zip(export.subject_access(current_user, viewer=current_user), current_user)


def _person_for(user_id: int) -> User:
    person = found(db.session.get(User, user_id))
    allow(erasure.may_erase(current_user, person) or person.id == current_user.id,
          "Only a cluster lead or an administrator can do this for an account they manage.")
    return person


@bp.route("/admin/users/<int:user_id>/data")
def person_data(user_id: int):
    person = _person_for(user_id)
    return _zip(export.subject_access(person, viewer=current_user), person)


@bp.route("/admin/users/<int:user_id>/erase", methods=["GET", "POST"])
def erase(user_id: int):
    person = _person_for(user_id)
    allow(person.id != current_user.id, "You cannot erase your own account. Ask another lead.")
    form = EraseForm()
    blockers = erasure.blockers(person) if person.erased_at is None else []
    done = not blockers and submit(
        form, lambda: erasure.erase(actor=current_user, person=person),
        f"Erased. They now appear as “{erasure.former_name(person)}”.", url_for("admin.users"))
    return done or render_page(
        "privacy/erase.html", form=form, person=person, blockers=blockers,
        status=form.status if not blockers or request.method == "GET" else 422,
        going=[h for h in PERSON_TABLES.values() if h.erase != "keep"],
        kept=[h for h in PERSON_TABLES.values() if h.erase == "keep"],
        former=erasure.former_name(person))


def _filters():
    form = AuditFilterForm(request.args)
    form.validate()
    return form, {"person": form.person.data or "", "kind": form.kind.data or "",
                  "since": form.since.data if not form.since.errors else None,
                  "until": form.until.data if not form.until.errors else None}


@bp.route("/admin/audit")
def audit_trail():
    form, filters = _filters()
    page = queries.entries(page=form.page.data or 1, **filters)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_page("privacy/audit.html", "privacy/_audit_results.html", form=form,
                       page=page, args=args, status=422 if form.errors else 200)


@bp.route("/admin/audit.csv")
def audit_csv():
    _form, filters = _filters()
    rows = db.session.scalars(queries.entries_stmt(**filters)).unique()
    body = export.csv_bytes(
        ["When (UTC)", "Who", "Address", "What", "Record", "About", "Summary"],
        ([e.at.isoformat(sep=" ", timespec="seconds"), e.actor.name if e.actor else "system",
          e.address, e.kind_label, f"{e.object_type} {e.object_id or ''}".strip(),
          e.subject.name if e.subject else "", e.summary] for e in rows))
    audit.record("audit.exported", summary=", ".join(
        f"{k}: {v}" for k, v in filters.items() if v) or "Every entry")
    response = make_response(body)
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="audit-{today().isoformat()}.csv"')
    return response
