"""The shape of review input; the rules are in services."""

from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from ..forms import BaseForm, MultiCheckboxField, VersionedForm, db_id
from .models import CLOSURE_KINDS
from .scheduling import TEAM_SIZES

_id = db_id  # an id, or None
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"]
DAYS = {1: "1 school day", 2: "2 school days", 3: "3 school days"}
DAYS_HINT = ("The host's school days from the first: weekends, holidays and the school's "
             "closures are skipped, so 3 days from a Thursday are Thursday, Friday and Monday.")


def date_field(label: str, *, required: str | None = None, description: str = ""):
    return DateField(label, format=DATE_FORMATS, description=description,
                     invalid_value_message="Enter a real date, like 27/03/2027.",
                     validators=[InputRequired(required)] if required else [Optional()])


def reason_field(label: str, description: str = ""):
    return StringField(label, description=description, validators=[
        Optional(), Length(max=300, message="Keep the reason to 300 characters or fewer.")])


def focus_field():
    return StringField("Enquiry focus", description="The host school's question, usually "
                       "starting “To what extent …”.", validators=[
                           DataRequired("Enter the enquiry focus."),
                           Length(max=300, message="Keep the focus to 300 characters or fewer.")])


def focus_area_field():
    return SelectField("Focus area", validate_choice=False,
                       validators=[DataRequired("Choose the focus area.")])


class ReviewForm(BaseForm):
    host_school = SelectField("School to be reviewed", coerce=_id, validate_choice=False,
                              validators=[DataRequired("Choose the school to be reviewed.")])
    focus = focus_field()
    focus_area = focus_area_field()
    start_date = date_field("First review day", required="Enter the first review day.")
    days = SelectField("Length", coerce=int, choices=DAYS, default=2, validate_choice=False,
                       description=DAYS_HINT)
    champion = SelectField("Host school's improvement champion (optional)", coerce=_id,
                           validate_choice=False)
    notes = TextAreaField("Notes (optional)", validators=[
        Optional(), Length(max=5000, message="Keep the notes to 5,000 characters or fewer.")])
    closed_reason = reason_field("Reason to book on a closed day (only if the school is closed)")


class FocusForm(VersionedForm):
    """The enquiry focus, agreed with the host school until the team is confirmed."""
    focus = focus_field()
    focus_area = focus_area_field()


class TeamForm(VersionedForm):
    lead = SelectField("Lead reviewer", coerce=_id, validate_choice=False,
                       validators=[DataRequired("Choose the lead reviewer.")])
    reviewers = MultiCheckboxField("Reviewers", coerce=_id, validate_choice=False,
                                   description="Choose 2 to 4 besides the lead reviewer.")


class StepForm(VersionedForm):
    note = StringField("Reason", validators=[
        Optional(), Length(max=1000, message="Keep the reason to 1,000 characters or fewer.")])
    # Declining: other first review days the host could offer (optional).
    offer_1 = date_field("Another first day you could host (optional)")
    offer_2 = date_field("Another (optional)")
    offer_3 = date_field("Another (optional)")

    @property
    def offered(self) -> list:
        return [f.data for f in (self.offer_1, self.offer_2, self.offer_3) if f.data]


class RescheduleForm(VersionedForm):
    start_date = date_field("New first review day", required="Enter the new first review day.")
    days = SelectField("Length", coerce=int, choices=DAYS, validate_choice=False,
                       description=DAYS_HINT)
    reason = StringField("Why is it moving?", validators=[
        DataRequired("Enter why the review is moving."),
        Length(max=1000, message="Keep the reason to 1,000 characters or fewer.")])
    closed_reason = reason_field("Reason to book on a closed day (only if the school is closed)")


class CancelForm(VersionedForm):
    reason = StringField("Why is it cancelled?", validators=[
        DataRequired("Enter why the review is cancelled."),
        Length(max=1000, message="Keep the reason to 1,000 characters or fewer.")])


class FindingsForm(VersionedForm):
    went_well = TextAreaField("What went well", validators=[Optional(), Length(max=5000)])
    to_develop = TextAreaField("Areas for development", description="One a line.",
                               validators=[Optional(), Length(max=5000)])
    summary = TextAreaField("Summary", validators=[
        DataRequired("Enter a summary."),
        Length(max=5000, message="Keep the summary to 5,000 characters or fewer.")])
    safeguarding = BooleanField("There is a safeguarding concern (the host head is emailed at "
                                "once)")


class WorkshopForm(VersionedForm):
    workshop_date = date_field("Workshop date", required="Enter the workshop date.")
    facilitator = SelectField("Facilitating improvement champion", coerce=_id,
                              validate_choice=False,
                              validators=[DataRequired("Choose the facilitating champion.")])
    impact_date = date_field("Impact review date (optional)")


class UnavailableForm(BaseForm):
    day = date_field("Date you are not available", required="Enter a date.")


class RotaForm(BaseForm):
    schools = MultiCheckboxField("Schools taking part", coerce=_id, validate_choice=False)
    per_review = SelectField("People on each review team", coerce=int, default=TEAM_SIZES[0],
                             choices={n: str(n) for n in TEAM_SIZES}, validate_choice=False,
                             description="A lead reviewer and the reviewers, each from a "
                                         "different school.")
    propose_teams = BooleanField(
        "Propose the people on each team", default=True,
        description="Trained reviewers whose training is confirmed, from the schools the rota "
                    "names, free on the review days; those with the fewest reviews this year "
                    "first. Each host headteacher then confirms their team.")
    avoid_reciprocal = BooleanField("Avoid pairs of schools reviewing each other", default=True)
    focus_area = SelectField("Focus area for the round", validate_choice=False,
                             validators=[DataRequired("Choose the focus area.")])
    days = SelectField("Length of each review", coerce=int, choices=DAYS, default=2,
                       validate_choice=False)


class TermForm(BaseForm):
    name = StringField("Term name", description="For example Spring 2027.", validators=[
        DataRequired("Enter the term's name."),
        Length(max=60, message="Keep the name to 60 characters or fewer.")])
    start_date = date_field("First day", required="Enter the first day.")
    end_date = date_field("Last day", required="Enter the last day.")


class ClosureForm(BaseForm):
    school = SelectField("School", coerce=_id, validate_choice=False)
    name = StringField("What is it?", description="For example INSET day or Christmas holiday.",
                       validators=[DataRequired("Enter what the closure is."),
                                   Length(max=60, message="Keep it to 60 characters or fewer.")])
    kind = SelectField("Kind", choices=CLOSURE_KINDS, validate_choice=False)
    start_date = date_field("First day", required="Enter the first day.")
    end_date = date_field("Last day", required="Enter the last day.")
