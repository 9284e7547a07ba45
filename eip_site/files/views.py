"""Uploading a file to a parent, its page (versions, replace, delete), downloads, the bin's
undo. Every route's rule is its parent's (``permissions``)."""

from __future__ import annotations

from flask import abort, current_app, flash, request, send_file, url_for
from flask_login import current_user

from ..forms import submit
from ..htmx import hx_redirect, render_page
from ..mail import absolute_url
from ..security import found
from . import bp, queries, services
from .forms import ConfirmForm, UploadForm
from .permissions import can_change, file_for, parent_for
from .storage import storage

PARENT = "<any(item, meeting, network, review):parent>/<int:parent_id>"
UPLOADS = {"files.upload", "files.replace"}
NAMES = {"item": "agenda item", "meeting": "meeting", "network": "resource library",
         "review": "review"}


def parent_url(kind: str, row) -> str:
    if kind == "item":
        return url_for("networks.meeting", meeting_id=row.meeting_id) + f"#item-{row.id}"
    if kind == "meeting":
        return url_for("networks.meeting", meeting_id=row.id) + "#papers"
    if kind == "network":
        return url_for("networks.network", network_id=row.id) + "#resources"
    return url_for("reviews.detail", review_id=row.id) + "#documents"


def parent_name(kind: str, row) -> str:
    if kind == "item":
        return f"the item “{row.title}”"
    if kind == "meeting":
        return f"the meeting on {row.starts_at:%-d %B %Y}"
    if kind == "network":
        return f"{row.name}'s resources"
    return f"the review of {row.host_school.name}"


def allow_large_uploads():
    """before_request, ahead of the CSRF check that reads the form: an upload may be as large
    as MAX_UPLOAD_MB (plus 1 MB for the rest of the form), every other request stays within
    MAX_CONTENT_LENGTH. A body declared larger is refused from its Content-Length, unread."""
    if request.endpoint in UPLOADS and request.method == "POST":
        request.max_content_length = services.limit() + services.MB
        if (request.content_length or 0) > request.max_content_length:
            abort(413, services.too_large_message())


def _form() -> UploadForm:
    return UploadForm(limit_mb=current_app.config["MAX_UPLOAD_MB"])


@bp.route(f"/files/{PARENT}/new", methods=["GET", "POST"])
def upload(parent: str, parent_id: int):
    row = parent_for(current_user, parent, parent_id, edit=True)
    form = _form()
    back = parent_url(parent, row)
    return submit(form, lambda: services.upload(
        actor=current_user, kind=parent, parent=row, upload=request.files.get("file"),
        title=form.title.data or "", description=form.description.data or ""),
        lambda a: f"Uploaded {a.filename}.", back) \
        or render_page("files/upload.html", form=form, kind=parent, parent=row, back=back,
                       where=parent_name(parent, row), status=form.status)


def _download(content):
    """The file as an attachment under the name it was uploaded with (send_file writes an
    RFC 5987 ``filename*`` for a name that is not ASCII), as the type its content is."""
    response = send_file(storage().open(content.storage_key), mimetype=content.content_type,
                         as_attachment=True, download_name=content.filename,
                         max_age=0, etag=False, last_modified=content.uploaded_at)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/files/<int:file_id>")
def download(file_id: int):
    attachment, _parent = file_for(current_user, file_id)
    return _download(attachment)


@bp.route("/files/<int:file_id>/versions/<int:number>")
def version(file_id: int, number: int):
    attachment, _parent = file_for(current_user, file_id)
    if number == attachment.version:
        return _download(attachment)
    return _download(found(queries.version(attachment.id, number)))


def _detail(attachment, row, form=None, status=200):
    kind = attachment.parent[0]
    return render_page("files/detail.html", attachment=attachment, kind=kind, parent=row,
                       back=parent_url(kind, row), where=parent_name(kind, row),
                       versions=queries.versions(attachment.id),
                       can_change=can_change(current_user, kind, row),
                       form=form or _form(), status=status)


@bp.route("/files/<int:file_id>/about")
def detail(file_id: int):
    return _detail(*file_for(current_user, file_id))


@bp.route("/files/<int:file_id>/replace", methods=["POST"])
def replace(file_id: int):
    attachment, row = file_for(current_user, file_id, edit=True)
    form = _form()
    return submit(form, lambda: services.replace(
        actor=current_user, attachment=attachment, parent=row,
        upload=request.files.get("file")),
        lambda a: f"Uploaded version {a.version} of {a.title}.",
        url_for("files.detail", file_id=attachment.id)) \
        or _detail(attachment, row, form, form.status)


@bp.route("/files/<int:file_id>/delete", methods=["GET", "POST"])
def delete(file_id: int):
    attachment, row = file_for(current_user, file_id, edit=True)
    kind = attachment.parent[0]
    form = ConfirmForm()
    return submit(form, lambda: services.delete(actor=current_user, attachment=attachment,
                                                parent=row),
                  f"Deleted {attachment.title}. You can undo this for {services.UNDO_DAYS} "
                  "days from the list of files.", parent_url(kind, row)) \
        or render_page("files/delete.html", attachment=attachment, form=form,
                       back=parent_url(kind, row), where=parent_name(kind, row),
                       status=form.status)


@bp.route("/files/<int:file_id>/restore", methods=["POST"])
def restore(file_id: int):
    attachment, row = file_for(current_user, file_id, edit=True, deleted=True)
    services.restore(actor=current_user, attachment=attachment, parent=row)
    flash(f"Restored {attachment.title}.", "success")
    return hx_redirect(parent_url(attachment.parent[0], row))


@bp.app_template_global()
def papers(kind: str, ids):
    """The files of a page's parents, in one statement: ``papers('item', ids).live(id)``."""
    return queries.papers(kind, ids)


@bp.app_template_global()
def agenda_papers(meeting_id: int):
    """A meeting's papers and its items', for the agenda's email."""
    return queries.agenda_papers(meeting_id)


@bp.app_template_global()
def file_link(file_id: int) -> str:
    """A file's download link for an email."""
    return absolute_url("files.download", file_id=file_id)


@bp.app_template_global()
def can_change_files(kind: str, row) -> bool:
    return can_change(current_user, kind, row)


@bp.record_once
def _register(state) -> None:
    state.app.before_request_funcs.setdefault(None, []).insert(0, allow_large_uploads)
