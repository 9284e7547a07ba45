"""Directory export (CSV/XLSX), the import template, and import: upload → preview → confirm.
The rules are in ``transfer`` and file reading in ``spreadsheets``; these views parse input,
call them, commit once and render."""

from __future__ import annotations

from ..clock import today

from flask import flash, make_response, request, url_for
from flask_login import current_user
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, SelectField

from ..errors import DomainError
from ..extensions import db
from ..forms import BaseForm
from ..htmx import hx_redirect, render_page
from ..people import queries as people_queries
from ..people.services import manageable_school_ids
from . import bp, spreadsheets, transfer

MIME = {"csv": "text/csv; charset=utf-8",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


# Forms live here rather than in forms.py: they are used by these views only.
class UploadForm(BaseForm):
    file = FileField("Spreadsheet file", description=(
        "A CSV file or an Excel workbook (.xlsx), 5 MB or smaller, with up to "
        f"{spreadsheets.MAX_ROWS:,} rows."),
        validators=[FileRequired("Choose a CSV or Excel file.")])
    school = SelectField("School", coerce=lambda v: int(v) if str(v).isdigit() else None,
                         validate_choice=False)


class ConfirmForm(BaseForm):
    token = HiddenField()
    invite = BooleanField("Email invitations to the new people", description=(
        "Each new person gets a link to set their password. You can also invite them later "
        "from People."))


def _upload_form() -> UploadForm:
    form = UploadForm()
    if manageable_school_ids(current_user) is None:  # a lead or admin chooses the scope
        form.school.choices = {"": "All schools – each row's school_urn says which"} | {
            s.id: f"{s.name} ({s.urn})" for s in people_queries.schools()}
    else:
        form.school.choices = {}
    return form


def _download(body: bytes, fmt: str, stem: str):
    response = make_response(body)
    response.headers["Content-Type"] = MIME[fmt]
    response.headers["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    return response


def _upload_page(form: UploadForm):
    return render_page("directory/import.html", form=form, columns=spreadsheets.COLUMNS,
                       status=form.status)


def _show_preview(preview, confirm: ConfirmForm, token: str, status: int = 200):
    return render_page("directory/import.html", "directory/_import_preview.html",
                       preview=preview, confirm=confirm, token=token, status=status)


@bp.route("/directory/export.<any(csv, xlsx):fmt>")
def export(fmt: str):
    return _download(transfer.export_file(fmt), fmt, f"directory-{today().isoformat()}")


@bp.route("/directory/import/template.<any(csv, xlsx):fmt>")
def import_template(fmt: str):
    return _download(transfer.template_file(fmt), fmt, "staff-import-template")


@bp.route("/directory/import", methods=["GET", "POST"])
def import_staff():
    if request.method == "POST" and "token" in request.form:
        return _confirm()
    form = _upload_form()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            table = spreadsheets.read_table(upload.filename,
                                            upload.read(spreadsheets.MAX_BYTES + 1))
            preview = transfer.preview_import(actor=current_user, table=table,
                                              school_id=form.school.data)
            token = transfer.dump_token(preview, actor=current_user)
        except DomainError as error:
            form.add_error(error)
        else:
            return _show_preview(preview, ConfirmForm(formdata=None), token)
    return _upload_page(form)


def _confirm():
    confirm = ConfirmForm()
    try:
        summary = transfer.confirm_import(actor=current_user, token=confirm.token.data or "",
                                          invite=bool(confirm.invite.data))
    except transfer.PreviewChanged as changed:
        db.session.rollback()
        confirm.add_error(changed)
        token = transfer.dump_token(changed.preview, actor=current_user)
        return _show_preview(changed.preview, confirm, token, status=changed.status)
    except DomainError as error:
        db.session.rollback()
        form = _upload_form()
        form.add_error(error)
        return _upload_page(form)
    db.session.commit()
    flash(summary.message, "success")
    return hx_redirect(url_for("admin.users"))
