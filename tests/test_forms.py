"""The shared form base."""

from __future__ import annotations

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


def test_quick_attribute_writer_matches_wtforms():
    """forms.html_params writes exactly what WTForms' own does, for every kind of value."""
    from markupsafe import Markup
    from wtforms.widgets.core import html_params as wtforms_params

    from eip_site.forms import html_params

    cases = [
        {"name": "t", "id": "x", "class_": "input width-4", "aria_describedby": "a b",
         "required": True, "disabled": False, "value": 'a"b<c>&', "min": 0, "data_x_y": "1"},
        {"name": "q", "value": Markup('<b>"x"</b>'), "placeholder": "Ünïcode ✓"},
        {}, {"checked": True},
    ]
    for attrs in cases:
        assert html_params(**attrs) == wtforms_params(**attrs)


def test_quick_textarea_matches_wtforms(app):
    """Text areas write the same markup as WTForms' own widget, flags and text included."""
    from wtforms import TextAreaField
    from wtforms.validators import DataRequired, Length
    from wtforms.widgets import TextArea

    class NotesForm(BaseForm):
        class Meta:
            csrf = False

        notes = TextAreaField("Notes", validators=[DataRequired(), Length(max=500)])

    with app.test_request_context(method="POST", data={"notes": 'a "quote" <b>&\nline'}):
        field = NotesForm().notes
        assert type(field.widget).__name__ == "PlainTextArea"
        for kwargs in ({}, {"rows": 3, "class_": "input", "aria-describedby": "n-hint"}):
            assert field(**kwargs) == TextArea()(field, **kwargs)
