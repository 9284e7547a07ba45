from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from ..audit import KINDS
from ..forms import BaseForm

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"]


class AuditFilterForm(BaseForm):
    class Meta:
        csrf = False

    person = StringField("Person (name or email)", validators=[Optional(), Length(max=100)])
    kind = SelectField("What happened", choices={"": "Anything", **KINDS}, validate_choice=False)
    since = DateField("From", format=DATE_FORMATS, validators=[Optional()],
                      description="For example 2026-09-01")
    until = DateField("To", format=DATE_FORMATS, validators=[Optional()],
                      description="For example 2026-12-31")
    page = IntegerField(validators=[Optional()])


class EraseForm(BaseForm):
    understood = BooleanField("I understand this cannot be undone", validators=[
        DataRequired("Tick to confirm you understand this cannot be undone.")])
