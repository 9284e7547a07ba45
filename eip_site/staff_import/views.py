"""Directory export (CSV/XLSX), the import template, and import: upload → preview → confirm.
Routes on the directory's blueprint, so every endpoint keeps its ``directory.`` name."""

from __future__ import annotations

from flask import make_response, request, url_for
from flask_login import current_user

from .. import audit
from ..auth.recent import require_recent_auth
from ..clock import today
from ..directory import bp
from ..errors import DomainError
from ..forms import submit
from ..htmx import render_page
from . import export as exports
from . import services
from .forms import ConfirmForm, UploadForm, upload_form
from .preview import preview_import
from .spreadsheets import COLUMNS, MAX_BYTES, read_table

MIME = {"csv": "text/csv; charset=utf-8",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _download(body: bytes, fmt: str, stem: str):
    response = make_response(body)
    response.headers["Content-Type"] = MIME[fmt]
    response.headers["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    return response


def _upload_page(form: UploadForm):
    return render_page("staff_import/import.html", form=form, columns=COLUMNS,
                       status=form.status)


def _show_preview(preview, confirm: ConfirmForm, status: int = 200):
    return render_page("staff_import/import.html", "staff_import/_import_preview.html",
                       preview=preview, confirm=confirm, status=status,
                       token=services.dump_token(preview, actor=current_user))


@bp.route("/directory/export.<any(csv, xlsx):fmt>")
@require_recent_auth
def export(fmt: str):
    audit.record("directory.exported", summary=f"The directory as {fmt.upper()}")
    return _download(exports.export_file(fmt, current_user), fmt, f"directory-{today().isoformat()}")


@bp.route("/directory/import/template.<any(csv, xlsx):fmt>")
def import_template(fmt: str):
    return _download(exports.template_file(fmt), fmt, "staff-import-template")


@bp.route("/directory/import", methods=["GET", "POST"])
def import_staff():
    if request.method == "POST" and "recheck" in request.form:
        return _recheck()
    if request.method == "POST" and "token" in request.form:
        return _confirm()
    form = upload_form()
    if form.validate_on_submit():
        # Checking a file saves nothing, so a problem is shown beside the file field here
        # rather than through forms.submit, which is for saving.
        upload = form.file.data
        try:
            preview = preview_import(
                actor=current_user, school_id=form.school.data,
                table=read_table(upload.filename, upload.read(MAX_BYTES + 1)))
            return _show_preview(preview, ConfirmForm(formdata=None))
        except DomainError as error:
            form.add_error(error)
    return _upload_page(form)


def _recheck():
    """The preview again with the answers to its "did you mean…?" questions (saves nothing)."""
    confirm = ConfirmForm()
    if confirm.validate_on_submit():
        try:
            return _show_preview(services.recheck(
                actor=current_user, token=confirm.token.data or "", answers=request.form),
                ConfirmForm(formdata=None))
        except DomainError as error:
            confirm.add_error(error)
    form = upload_form()
    form.add_error(confirm.refused or services.PreviewProblem(services.UNREADABLE))
    return _upload_page(form)


def _confirm():
    confirm = ConfirmForm()
    done = submit(confirm, lambda: services.confirm_import(
        actor=current_user, token=confirm.token.data or "", invite=bool(confirm.invite.data)),
        lambda summary: summary.message, url_for("admin.users"))
    if done:
        return done
    if isinstance(confirm.refused, services.PreviewChanged):  # check the new outcome instead
        return _show_preview(confirm.refused.preview, confirm, status=confirm.status)
    form = upload_form()  # any other refusal: start again from the file
    form.add_error(confirm.refused or services.PreviewProblem(services.UNREADABLE))
    return _upload_page(form)
