"""The shared form base: one way to attach rule errors and pick the response status."""

from __future__ import annotations

from copy import copy

from flask import Response, flash
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import ValidationError
from wtforms.widgets import HiddenInput, Input, Select, TextArea
from wtforms.widgets.core import clean_key

from .errors import DomainError
from .extensions import db
from .htmx import hx_redirect


def strip(value):
    return value.strip() if isinstance(value, str) else value


def no_control_characters(_form, field):
    if isinstance(field.data, str) and any(ord(c) < 32 and c not in "\t\r\n" for c in field.data):
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
            # Every select writes its options, and every hidden input itself, the quick way.
            if unbound_field.field_class is SelectField and "widget" not in kwargs:
                options = {**options, "widget": PlainSelect()}
            elif issubclass(unbound_field.field_class, HiddenField) and "widget" not in kwargs:
                options = {**options, "widget": PlainHidden()}
            elif issubclass(unbound_field.field_class, TextAreaField) and "widget" not in kwargs:
                options = {**options, "widget": PlainTextArea()}
            elif isinstance(getattr(unbound_field.field_class, "widget", None), Input) \
                    and "widget" not in kwargs:
                options = {**options, "widget": _quick_input(unbound_field.field_class.widget)}
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


def submit(form, action, success, redirect_to):
    """The one way a form is saved: validate, run the service (``action()``), flash
    ``success`` and redirect (the request's end commits). On a broken rule the service's
    writes are undone and the form keeps the message beside its field, so the page drawn
    again shows what is saved. ``success`` and ``redirect_to`` may be functions of what the
    action returned (the new review's id, a state it changed). None: show the form again.
    Where htmx swaps the change into the page, ``success`` is None (the fragment shows it)
    and ``redirect_to`` gives that response instead of an address."""
    if not form.validate_on_submit():
        return None
    try:
        result = action()
    except DomainError as error:
        db.session.rollback()
        form.add_error(error)
        return None
    if success is not None:
        flash(success(result) if callable(success) else success, "success")
    target = redirect_to(result) if callable(redirect_to) else redirect_to
    return target if isinstance(target, Response) else hx_redirect(target)


def html_params(**kwargs) -> Markup:
    """WTForms' ``html_params`` with the same output, joined as plain strings: its
    Markup.format per attribute made each text input cost ~0.1 ms to write."""
    params = []
    for key, value in sorted(kwargs.items()):
        key = clean_key(key)
        if value is True:
            params.append(str(escape(key)))
        elif value is not False:
            params.append(f'{escape(key)}="{str(escape(value)).replace(chr(34), "&quot;")}"')
    return Markup(" ".join(params))


_quick_inputs: dict[int, Input] = {}


def _quick_input(widget: Input) -> Input:
    """A field class's input widget (text, number, date…) writing its attributes as above;
    one copy per widget, made once."""
    quick = _quick_inputs.get(id(widget))
    if quick is None:
        quick = _quick_inputs[id(widget)] = copy(widget)
        quick.html_params = html_params
    return quick


def _option(value, label, selected: bool) -> str:
    return (f'<option {"selected " if selected else ""}value="{escape(value)}">'
            f'{escape(label)}</option>')


def option(value, label, selected: bool = False) -> Markup:
    """One <option>, written directly: the general attribute builder made a list of 200
    schools cost more than the query behind it."""
    return Markup(_option(value, label, selected))


def options(choices, selected=None) -> Markup:
    """Options for a hand-written <select>: (value, label) pairs, ``selected`` marked."""
    return Markup("".join(_option(value, label, value == selected) for value, label in choices))


class PlainSelect(Select):
    """WTForms' select with the quicker option above."""

    def __call__(self, field, **kwargs):
        # (value, label) pairs are written straight out: WTForms' general path parses the
        # choices twice and inspects render_option's signature on every call (~0.5 ms for a
        # select of 40 people). Anything else (groups, render_kw, booleans) goes that path.
        choices = field.choices
        if isinstance(choices, dict):  # {value: label}, as WTForms reads it
            choices = list(choices.items())
        if self.multiple or not isinstance(choices, list) or any(
                type(c) is not tuple or len(c) != 2 or isinstance(c[0], bool) for c in choices):
            return super().__call__(field, **kwargs)
        _validation_attrs(self, field, kwargs)
        coerce, data = field.coerce, field.data
        return Markup(f"<select {html_params(name=field.name, **kwargs)}>"
                      + "".join(_option(value, label or value, coerce(value) == data)
                                for value, label in choices) + "</select>")

    @classmethod
    def render_option(cls, choice, **kwargs):
        if kwargs or choice.render_kw or isinstance(choice.value, bool):
            return super().render_option(choice, **kwargs)
        return option(choice.value, choice.label or choice.value, choice.selected)


def _validation_attrs(widget, field, kwargs: dict) -> None:
    """What WTForms' widgets add before writing: the field's id and its validation flags
    (required, maxlength…) as attributes, unless given."""
    kwargs.setdefault("id", field.id)
    flags = field.flags
    for k in dir(flags):
        if k in widget.validation_attrs and k not in kwargs:
            kwargs[k] = getattr(flags, k)


class PlainTextArea(TextArea):
    """WTForms' textarea writing its attributes the quick way (~0.14 ms less an area)."""

    def __call__(self, field, **kwargs):
        _validation_attrs(self, field, kwargs)
        return Markup(f"<textarea {html_params(name=field.name, **kwargs)}>\r\n"
                      f"{escape(field._value())}</textarea>")


class PlainHidden(HiddenInput):
    """WTForms' hidden input, written directly when called bare (a form's version and its
    CSRF token): the general attribute builder cost ~0.1 ms an input."""

    def __call__(self, field, **kwargs):
        if kwargs or vars(field.flags):
            return super().__call__(field, **kwargs)
        return Markup(f'<input id="{escape(field.id)}" name="{escape(field.name)}" '
                      f'type="hidden" value="{escape(field._value())}">')
