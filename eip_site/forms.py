"""The shared form base: one way to attach rule errors and pick the response status."""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta

from flask import Response, flash, request
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from sqlalchemy import DateTime, String, delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column
from wtforms import (
    DateField,
    DateTimeField,
    DecimalField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, ListWidget, Select
from wtforms.widgets.core import html_params

from .clock import utcnow
from .errors import DomainError
from .extensions import DB_INT_MAX, db, db_id  # noqa: F401  (db_id: the coerce for ids)
from .htmx import hx_redirect


def strip(value):
    return value.strip() if isinstance(value, str) else value


MAX_SEARCH = 200  # characters of a search box; the box says so with maxlength


def search_words(value) -> str:
    """What a search box sent, as words to search for: control characters (a NUL the
    databases refuse) count as spaces, and it is cut to MAX_SEARCH characters."""
    if not isinstance(value, str):
        return ""
    return "".join(" " if ord(c) < 32 or c == "\x7f" else c for c in value)[:MAX_SEARCH].strip()


def no_control_characters(_form, field):
    # Line breaks belong in a box of several lines only: in a name they could reach an
    # email's headers.
    allowed = "\t\r\n" if isinstance(field, TextAreaField) else "\t"
    if isinstance(field.data, str) and any(ord(c) < 32 and c not in allowed for c in field.data):
        raise ValidationError("Remove the hidden control characters from this answer.")


CHOOSE = "Choose one of the options listed."
PLAIN = {IntegerField: "Enter a whole number.", DecimalField: "Enter a number.",
         DateField: "Enter a real date, for example 27/03/2027.",
         TimeField: "Enter a time, for example 16:00.",
         DateTimeField: "Enter a date and time."}


def plain_words(field) -> str:
    """The site's message for a value a field could not read: the field's own message (the
    first of its validators that has one), else the plain one for its kind."""
    for validator in field.validators if isinstance(field, IntegerField) else ():
        if isinstance(getattr(validator, "message", None), str):
            return validator.message
    return next((m for kind, m in PLAIN.items() if isinstance(field, kind)), "Check this answer.")


def fits_the_database(_form, field):
    """A whole number beyond what an integer column holds is refused beside its field."""
    if isinstance(field.data, int) and not -DB_INT_MAX <= field.data <= DB_INT_MAX:
        raise ValidationError(plain_words(field))


class BaseForm(FlaskForm):
    class Meta:
        def bind_field(self, form, unbound_field, options):
            # Every text field is trimmed, so "   " counts as empty. The unbound field belongs
            # to the form class: add to copies, never to its own lists.
            kwargs = unbound_field.kwargs
            if issubclass(unbound_field.field_class, StringField):
                options = {**options,
                           "filters": [strip, *kwargs.get("filters", ())],
                           "validators": [*kwargs.get("validators", ()), no_control_characters]}
            if issubclass(unbound_field.field_class, HiddenField):
                # No id: a page with several forms would repeat "csrf_token" and "version".
                options = {**options, "render_kw": {"id": False, **(kwargs.get("render_kw") or {})}}
            if issubclass(unbound_field.field_class, IntegerField):
                options = {**options,
                           "validators": [*kwargs.get("validators", ()), fits_the_database]}
            if issubclass(unbound_field.field_class, (SelectField, RadioField)):
                options = {"invalid_choice_message": CHOOSE, "invalid_value_message": CHOOSE,
                           **options}
            if unbound_field.field_class is SelectField and "widget" not in kwargs:
                options = {**options, "widget": PlainSelect()}
            return unbound_field.bind(form=form, **options)

    def validate(self, extra_validators=None) -> bool:
        """WTForms' validation, in the site's words: a number, date or time it could not read
        gets the field's own message (its range or "Enter the date of …"), else a plain one."""
        valid = super().validate(extra_validators)
        for field in self:
            if field.process_errors and not isinstance(field, (SelectField, RadioField)):
                plain = plain_words(field)
                field.errors = list(dict.fromkeys(
                    plain if e in field.process_errors else e for e in field.errors))
        return valid

    def add_error(self, error: DomainError) -> None:
        """Show a rule's message beside its field, or at the top of the form."""
        self.error_status = error.status
        field = getattr(self, error.field, None) if error.field else None
        if field is not None:
            field.errors = [*field.errors, error.message]
        else:
            self.form_errors.append(error.message)

    @property
    def status(self) -> int:
        """200, or for a submitted form with errors 422 (409 when someone else's edit won)."""
        if not (self.errors or self.form_errors):
            return 200
        return getattr(self, "error_status", 422)


class VersionedForm(BaseForm):
    """An edit form carrying the row's version, so a stale edit is refused (StaleEdit)."""

    version = HiddenField()

    @property
    def version_number(self) -> int | None:
        return db_id(self.version.data)


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes, one per choice."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


# --- Once only: a form that creates something is saved once per drawing ----------------------

def new_form_token() -> str:
    return secrets.token_urlsafe(24)


class FormSubmission(db.Model):
    """A create form's one-time token, claimed by its first submission (``submit``) in the
    same transaction as what it created, with where that submission was sent. A second
    submission of the same drawing (a double click, a re-sent POST) is sent there too and
    creates nothing. Unique on the token: of two at once, the second waits for the first."""

    __tablename__ = "form_submission"

    token: Mapped[str] = mapped_column(String(43), primary_key=True)
    location: Mapped[str | None] = mapped_column(String(2000))
    message: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(DateTime(), default=utcnow, index=True)


KEEP_SUBMISSIONS = timedelta(days=2)  # a form left open longer is a fresh one again
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,43}")


def form_token() -> Markup:
    """The hidden one-time token a create form carries (``{{ form_token() }}`` inside the
    ``<form>``, a template global): fresh at each drawing. A POST without one (a hand-made
    request) saves as any other form."""
    return Markup('<input type="hidden" name="form_token" value="%s">') % new_form_token()


def _posted_token() -> str | None:
    token = request.form.get("form_token")
    return token if token and _TOKEN.fullmatch(token) else None


def _claim() -> FormSubmission | None:
    """Claim the posted form token for this submission, or give the earlier submission that
    holds it. The claim is the request's first write: of two at once, PostgreSQL and SQLite
    both make the second INSERT wait for the first to commit, and its clash undoes the whole
    (still empty) transaction before the earlier result is read."""
    token = _posted_token()
    if token is None:
        return None
    earlier = db.session.get(FormSubmission, token)
    if earlier is not None:
        return earlier
    db.session.execute(delete(FormSubmission).where(
        FormSubmission.created_at < utcnow() - KEEP_SUBMISSIONS))
    try:
        db.session.add(FormSubmission(token=token))
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return db.session.get(FormSubmission, token)
    return None


def _record(message: str | None, location: str) -> None:
    """Where the first submission was sent, for a second one of the same drawing."""
    claimed = db.session.get(FormSubmission, _posted_token() or "")
    if claimed is not None:
        claimed.location, claimed.message = location[:2000], (message or "")[:500] or None


def submit(form, action, success, redirect_to):
    """The one way a form is saved: validate, run the service (``action()``), flash
    ``success`` (None: nothing to say) and redirect; the request's end commits. On a broken
    rule the service's writes are undone here, so the form drawn again beside its message
    shows what is saved (the request's end then rolls back an empty transaction).
    ``success`` and ``redirect_to`` may be functions of what the action returned (the new
    review's id, a state it changed). None: show the form again. Where htmx swaps the change
    into the page, ``success`` is None (the fragment shows it) and ``redirect_to`` gives
    that response instead of an address."""
    if not form.validate_on_submit():
        return None
    earlier = _claim()  # the same drawing of a create form again: the first's answer
    if earlier is not None:
        if earlier.message:
            flash(earlier.message, "success")
        return hx_redirect(earlier.location or request.path)
    try:
        result = action()
    except DomainError as error:
        db.session.rollback()
        form.add_error(error)
        return None
    message = success(result) if callable(success) else success
    if message:
        flash(message, "success")
    target = redirect_to(result) if callable(redirect_to) else redirect_to
    _record(message, target if isinstance(target, str) else request.path)
    return target if isinstance(target, Response) else hx_redirect(target)


def _option(value, label, selected: bool) -> str:
    return (f'<option {"selected " if selected else ""}value="{escape(value)}">'
            f'{escape(label)}</option>')


def options(choices, selected=None) -> Markup:
    """Options for a hand-written <select>: (value, label) pairs, ``selected`` marked."""
    return Markup("".join(_option(value, label, value == selected) for value, label in choices))


class PlainSelect(Select):
    """WTForms' select, writing plain (value, label) options directly: WTForms' general path
    parses the choices twice and inspects render_option's signature on every call (~0.5 ms
    for a select of 40 people, the largest saving of any widget). Anything else (groups,
    render_kw, booleans, multiple) goes WTForms' own way; a test holds the markup equal,
    but for two things HTML asks and WTForms does not do: the choice None is the empty
    placeholder (value ""), and only a select that starts with one is marked required."""

    def __call__(self, field, **kwargs):
        choices = field.choices
        if isinstance(choices, dict):  # {value: label}, as WTForms reads it
            choices = list(choices.items())
        if self.multiple or not isinstance(choices, list) or any(
                type(c) is not tuple or len(c) != 2 or isinstance(c[0], bool) for c in choices):
            return super().__call__(field, **kwargs)
        kwargs.setdefault("id", field.id)
        for flag in dir(field.flags):
            if flag in self.validation_attrs and flag not in kwargs:
                kwargs[flag] = getattr(field.flags, flag)
        if choices and choices[0][0] not in ("", None):
            # HTML lets a required select start only with an empty placeholder; a select
            # without one always sends a value, so "required" says nothing there.
            kwargs.pop("required", None)
        coerce, data = field.coerce, field.data
        return Markup(f"<select {html_params(name=field.name, **kwargs)}>"
                      + "".join(_option("", label, data is None) if value is None
                                else _option(value, label or value, coerce(value) == data)
                                for value, label in choices) + "</select>")
