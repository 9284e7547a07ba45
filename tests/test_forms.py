"""The shared form base."""

from __future__ import annotations

import warnings

from wtforms import StringField

from eip_site.forms import BaseForm, no_control_characters, strip


class NameForm(BaseForm):
    class Meta:
        csrf = False

    name = StringField("Name")


def test_text_is_trimmed_and_control_characters_refused(app):
    with app.test_request_context(method="POST", data={"name": "  Ada \x07 "}):
        form = NameForm()
        assert not form.validate()
        assert form.name.data == "Ada \x07"
        assert form.name.errors == ["Remove the hidden control characters from this answer."]


def test_making_a_form_again_and_again_does_not_stack_filters(app):
    """The trim filter and the check are added to each form, not to the class's field:
    once they piled up, one more per form made, for as long as the process ran."""
    with app.test_request_context():
        for _ in range(3):
            form = NameForm(formdata=None)
        assert form.name.filters == [strip]
        assert form.name.validators == [no_control_characters]


def test_quick_select_matches_wtforms(app):
    """Selects write the same markup as WTForms' own widget: flags, escaping, the choice
    picked, and the shapes that take WTForms' own path."""
    from wtforms import SelectField
    from wtforms.validators import DataRequired
    from wtforms.widgets import Select

    class PickForm(BaseForm):
        class Meta:
            csrf = False

        person = SelectField("Person", coerce=int, validators=[DataRequired()])
        term = SelectField("Term")

    with app.test_request_context(method="POST", data={"person": "2", "term": "s"}):
        form = PickForm()  # choices are set per request, as the views do
        form.person.choices = [(1, 'Ada "A" <b>'), (2, "Ünïcode ✓"), (3, "")]
        form.term.choices = {"a": "Autumn", "s": "Spring"}
        assert type(form.person.widget).__name__ == "PlainSelect"
        for field in (form.person, form.term):
            for kwargs in ({}, {"class_": "select", "aria-describedby": "p-hint"}):
                with warnings.catch_warnings():  # WTForms 3.3 frowns on the tuples it reads
                    warnings.simplefilter("ignore", DeprecationWarning)
                    expected = Select()(field, **kwargs)
                if field is form.person:  # no empty first choice: HTML forbids "required"
                    assert ' required' in expected
                    expected = expected.replace(" required", "")
                assert field(**kwargs) == expected
        form.person.choices = [(None, "Choose a person"), (1, "Ada")]
        assert form.person().startswith('<select id="person" name="person" required>'
                                        '<option value="">Choose a person</option>')


def test_a_line_break_is_refused_in_a_one_line_field_and_kept_in_a_text_area(app):
    from wtforms import TextAreaField

    class NoteForm(NameForm):
        note = TextAreaField("Note")

    with app.test_request_context(method="POST", data={"name": "Eve\r\nBcc: all@x.example",
                                                       "note": "line one\r\nline two"}):
        form = NoteForm()
        assert not form.validate()
        assert form.name.errors == ["Remove the hidden control characters from this answer."]
        assert form.note.errors == [] and form.note.data == "line one\r\nline two"
