"""The form for asking a colleague for help."""

from __future__ import annotations

from wtforms import DateField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..forms import BaseForm, db_id
from .services import MAX_MESSAGE


def whole_number(value) -> int | None:
    """A form or query value as an id, or None when it is not one."""
    return db_id(value)


class HelpForm(BaseForm):
    message = TextAreaField(
        "What do you need?",
        description="Say what you would like help with and how: a call, a visit, an email.",
        validators=[DataRequired("Enter what you need help with."),
                    Length(max=MAX_MESSAGE, message=f"Keep your request to {MAX_MESSAGE:,} "
                           "characters or fewer.")])
    needed_by = DateField("By when (optional)", format=["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"],
                          invalid_value_message="Enter a real date, like 27/03/2026.",
                          validators=[Optional()])
    skill = SelectField("Which of their skills is it about? (optional)", coerce=whole_number,
                        validate_choice=False)
