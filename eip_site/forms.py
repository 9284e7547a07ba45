"""The shared form base: one way to attach rule errors and pick the response status."""

from __future__ import annotations

from flask import Response, flash
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, ListWidget, Select
from wtforms.widgets.core import html_params

from .errors import DomainError
from .extensions import db
from .htmx import hx_redirect


def strip(value):
    return value.strip() if isinstance(value, str) else value


def no_control_characters(_form, field):
    """Refuses control characters; line breaks only in a text area (a name or a title with
    one could end up starting a line of an email's headers)."""
    if not isinstance(field.data, str):
        return
    if not isinstance(field, TextAreaField) and ("\r" in field.data or "\n" in field.data):
        raise ValidationError("Write this answer on one line: remove the line break.")
    if any(ord(c) < 32 and c not in "\t\r\n" for c in field.data):
        raise ValidationError("Remove the hidden control characters from this answer.")


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
            if unbound_field.field_class is SelectField and "widget" not in kwargs:
                options = {**options, "widget": PlainSelect()}
            return unbound_field.bind(form=form, **options)

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
        return int(self.version.data) if (self.version.data or "").isdigit() else None


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes, one per choice."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


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
