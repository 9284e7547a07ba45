"""DomainError for broken rules, and error pages as full pages or htmx fragments."""

from __future__ import annotations

import logging
from contextlib import contextmanager

from flask import Flask, abort, current_app, g, make_response, render_template, request, session
from flask_login import AnonymousUserMixin
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from .extensions import db
from .htmx import is_htmx
from .logs import request_id

log = logging.getLogger(__name__)

# A stale edit, in the words of where it is shown. A form drawn again keeps the person's
# changes; one that also shows the other person's version (a merge view: forms.
# theirs_if_stale) moves on to it, so saving again saves theirs over it knowingly.
STALE_MESSAGE = (
    "Someone else changed this while you were editing it, so your changes were not saved. "
    "They are still in the form: copy what you need, open the page again to see the latest "
    "version, then make your changes there."
)
STALE_MERGE_MESSAGE = (
    "Someone else changed this while you were editing it. Their version is shown below; "
    "your changes are still in the form: check them and save again."
)
STALE_PAGE_MESSAGE = (
    "Someone else changed this at the same moment, so nothing was saved. Go back and open "
    "the page again to see the latest version, then try again."
)


class DomainError(Exception):
    """A rule was broken. ``message`` is for the user; ``field`` names the form field it concerns."""

    status = 422

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class Forbidden(DomainError):
    """A rule about who may do something, broken by a write (a loader refuses a page)."""

    status = 403


class StaleEdit(DomainError):
    status = 409

    def __init__(self, message: str = STALE_MESSAGE):
        super().__init__(message)


@contextmanager
def unique_key(check):
    """Writes a unique key holds, made after ``check()`` found no clash. One saved by someone
    else the same moment gets the answer the check gives: only these writes are undone (a
    savepoint), and ``check()`` runs again, now seeing the other row, and raises its
    DomainError. (reviews/services/booking.py does the same for booked days.)"""
    db.session.flush()  # what came before is not part of the savepoint
    try:
        with db.session.begin_nested():
            yield
    except IntegrityError:
        check()
        raise DomainError("Someone else saved this at the same moment. "
                          "Reload the page and try again.") from None


def check_version(row, version: int | None) -> None:
    """Optimistic locking: a form carries the version it was drawn from; a row changed since
    then refuses the edit."""
    if version is not None and row.version != version:
        raise StaleEdit()


MAX_TEXT = 5000  # a free-text answer: notes, findings, purposes


def clean_text(value: str | None, *, field: str, label: str, limit: int = MAX_TEXT,
               required: bool = False) -> str:
    """Trimmed text for a service, or a message beside ``field`` ("Enter the focus.", "The
    focus must be 300 characters or fewer.")."""
    value = (value or "").strip()
    if required and not value:
        raise DomainError(f"Enter {label}.", field=field)
    if len(value) > limit:
        raise DomainError(f"{label[0].upper()}{label[1:]} must be {limit:,} characters or fewer.",
                          field=field)
    return value


TITLES = {
    400: "Bad request",
    403: "You do not have access to this page",
    404: "Page not found",
    405: "That action is not allowed here",
    409: "Changed by someone else",
    413: "File too large",
    414: "Web address too long",
    422: "That could not be done",
    429: "Too many attempts",
    500: "Sorry, something went wrong",
    503: "The site cannot reach its database",
}

MESSAGES = {
    400: "The request could not be understood. Go back, reload the page and try again.",
    403: "Your account does not have permission to see this page. "
    "If you think it should, ask your cluster lead.",
    404: "If you typed the web address, check it is correct. "
    "If you pasted it, check you copied the whole address.",
    405: "Go back and use the buttons on the page.",
    413: "The file is larger than the site accepts.",
    414: "The web address is longer than the site accepts. If you were searching, "
    "use fewer words.",
    429: "Wait a few minutes and try again.",
    500: "The problem has been logged. Try again in a few minutes.",
    503: "The site cannot reach its database; try again in a minute.",
}


def render_error(code: int, message: str | None = None):
    """The error page, or for htmx a fragment retargeted into the flash area. Nothing of the
    request is saved, so neither is a success message it flashed."""
    db.session.rollback()
    session.pop("_flashes", None)
    ctx = {
        "code": code,
        "title": TITLES.get(code, "Error"),
        "message": message or MESSAGES.get(code, ""),
        "reference": request_id() if code >= 500 else None,
    }
    if not is_htmx():
        return make_response(render_template("errors/page.html", **ctx), code)
    response = make_response(render_template("errors/_fragment.html", **ctx), code)
    response.headers["HX-Retarget"] = "#flash"
    response.headers["HX-Reswap"] = "innerHTML"
    return response


def handle_http(error: HTTPException):
    if error.code is None or error.code < 400:
        return error
    # A description given at abort() is meant for the user; the stock ones are not.
    custom = error.description if error.description != type(error).description else None
    return render_error(error.code, custom)


def handle_domain(error: DomainError):
    """A rule broken by a button (forms show theirs beside the field instead): a stale edit
    here has no form that kept anything."""
    return render_error(error.status, STALE_PAGE_MESSAGE if error.message == STALE_MESSAGE
                        else error.message)


def handle_stale(_error: StaleDataError):
    return render_error(409, STALE_PAGE_MESSAGE)


def refuse_long_urls():
    """before_request: a web address longer than MAX_URL_LENGTH gets the site's 414 page
    (the limit sits below the server's own, gunicorn's limit_request_line, whose refusal is
    a bare page drawn before the app sees the request)."""
    if len(request.path) + len(request.query_string) > current_app.config["MAX_URL_LENGTH"]:
        abort(414)


def unreachable(error: DBAPIError) -> bool:
    """Whether a database error means it cannot be reached: a dropped connection, or an
    OperationalError (PostgreSQL: refused, shut down; SQLite: the file cannot be opened or
    stays locked; SQLite's other OperationalErrors are mistakes in a statement)."""
    if error.connection_invalidated:
        return True
    if not isinstance(error, OperationalError):
        return False
    if type(error.orig).__module__.startswith("sqlite3"):
        return any(words in str(error.orig) for words in ("unable to open", "locked", "I/O"))
    return True


def handle_database_down(error: DBAPIError):
    """The database cannot be reached (down, restarting, a dropped connection): the site's
    503 page, or its fragment for htmx. Any other database error is a 500."""
    if not unreachable(error):
        return handle_unexpected(error)
    log.error("Database unreachable on %s %s: %s", request.method, request.path, error)
    g._login_user = AnonymousUserMixin()  # the page must not ask the database who is signed in
    try:
        db.session.rollback()
    except DBAPIError:
        pass
    session.pop("_flashes", None)
    ctx = {"code": 503, "title": TITLES[503], "message": MESSAGES[503]}
    template = "errors/_fragment.html" if is_htmx() else "errors/unavailable.html"
    response = make_response(render_template(template, **ctx), 503)
    response.headers["Retry-After"] = "60"
    if is_htmx():
        response.headers["HX-Retarget"] = "#flash"
        response.headers["HX-Reswap"] = "innerHTML"
    return response


def handle_data_error(error: DataError):
    """PostgreSQL refuses a NUL byte in text, wherever a request's words reach a query."""
    if "NUL" in str(error.orig):
        return render_error(400, "Remove the hidden control characters from what you typed, "
                                 "then try again.")
    return handle_database_down(error)


def handle_unexpected(error: Exception):
    log.exception("Unhandled error on %s %s", request.method, request.path)
    return render_error(500)


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http)
    app.register_error_handler(DomainError, handle_domain)
    app.register_error_handler(StaleDataError, handle_stale)
    app.register_error_handler(DataError, handle_data_error)
    app.register_error_handler(DBAPIError, handle_database_down)
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_long_urls)
    app.register_error_handler(Exception, handle_unexpected)
