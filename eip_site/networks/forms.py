"""Shapes of input for networks and meetings (the rules are in the services: lifecycle,
meetings, agenda, minutes, plans), and the merge view's step after a refused edit."""

from __future__ import annotations

from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..errors import STALE_MERGE_MESSAGE, STALE_MESSAGE
from ..forms import BaseForm, VersionedForm, db_id
from .models import ANSWERS, ITEM_KINDS, PLAN_STATUSES, PROPOSAL_FIELDS, SERIES_PATTERNS

_id = db_id  # an id, or None


def _long(label: str, hint: str = "", limit: int = 5000, required: str | None = None):
    validators = [DataRequired(required)] if required else [Optional()]
    return TextAreaField(label, description=hint or None, validators=[
        *validators, Length(max=limit, message=f"Keep this to {limit:,} characters or fewer.")])


class ProposalForm(BaseForm):
    name = StringField("Network name", validators=[
        DataRequired("Enter the network's name."),
        Length(max=120, message="The name must be 120 characters or fewer.")])
    purpose = _long("Purpose", "What the network is for, in a few sentences.",
                    required="Enter the network's purpose.")
    priority = StringField("Partnership priority it serves", description=(
        "For example: transition, behaviour, gifted and talented."), validators=[
        Optional(), Length(max=200, message="The priority must be 200 characters or fewer.")])
    planned_work = _long(PROPOSAL_FIELDS["planned_work"])
    resources = _long(PROPOSAL_FIELDS["resources"])
    impact_pupils = _long(PROPOSAL_FIELDS["impact_pupils"])
    impact_adults = _long(PROPOSAL_FIELDS["impact_adults"])
    impact_leadership = _long(PROPOSAL_FIELDS["impact_leadership"])
    innovation = _long(PROPOSAL_FIELDS["innovation"])
    communication = _long(PROPOSAL_FIELDS["communication"])
    is_open = BooleanField("Open network: colleagues who are not members may read its "
                           "published agendas and approved minutes")


class DecisionOnProposalForm(BaseForm):
    comment = _long("Your comment", "Shown to the proposer and members.", limit=5000)
    critical_friend = SelectField("Critical friend", coerce=_id, validate_choice=False,
                                  description="A headteacher who will support and challenge "
                                  "the network, meeting it at least once a term.")
    decision = RadioField("Decision", choices={"sponsor": "Sponsor the network",
                                                "decline": "Decline it"},
                          validators=[InputRequired("Choose whether to sponsor or decline.")])


class MeetingForm(VersionedForm):
    day = DateField("Date", validators=[InputRequired("Enter the date of the meeting.")])
    start = TimeField("Starts at", description="UK time, for example 16:00.",
                      validators=[InputRequired("Enter the time the meeting starts.")])
    end = TimeField("Ends at", validators=[InputRequired("Enter the time the meeting ends.")])
    school = SelectField("School", coerce=_id, validate_choice=False,
                         description="Where the meeting is held, if in person.")
    place = StringField("Room or place", validators=[
        Optional(), Length(max=200, message="The place must be 200 characters or fewer.")])
    online_link = StringField("Online meeting link", description="Starts with https://",
                              validators=[Optional(), Length(max=300, message=(
                                  "The link must be 300 characters or fewer."))])
    start_from = RadioField("Agenda", choices={
        "template": "Start from the standard agenda",
        "previous": "Copy the items of the previous meeting's agenda"}, default="template",
        validate_choice=False)


class ItemForm(VersionedForm):
    title = StringField("Title", validators=[
        DataRequired("Enter a title for the item."),
        Length(max=200, message="The title must be 200 characters or fewer.")])
    kind = SelectField("Kind of item", choices=ITEM_KINDS, default="discussion",
                       validate_choice=False)
    presenter = SelectField("Presenter", coerce=_id, validate_choice=False)
    duration = IntegerField("Minutes allowed", default=10, validators=[
        InputRequired("Enter the minutes allowed, from 0 to 240."),
        NumberRange(0, 240, message="Enter the minutes allowed, from 0 to 240.")])
    notes = _long("Notes", "Papers to read, questions to think about.")


class MinutesForm(VersionedForm):
    minutes = TextAreaField("Minutes", description=(
        "Plain text or Markdown: **bold**, *italic*, lists starting with * or 1. Links work; "
        "images are not shown."),
        validators=[Optional(), Length(max=20000, message=(
            "Minutes for one item must be 20,000 characters or fewer."))])


class DecisionForm(BaseForm):
    text = StringField("Decision", validators=[
        DataRequired("Enter the decision."),
        Length(max=500, message="A decision must be 500 characters or fewer.")])
    item = SelectField("Agenda item", coerce=_id, validate_choice=False)


class ActionForm(BaseForm):
    description = StringField("Action", validators=[
        DataRequired("Enter what is to be done."),
        Length(max=300, message="An action must be 300 characters or fewer.")])
    owner = SelectField("Owner", coerce=_id, validate_choice=False,
                        validators=[DataRequired("Choose an owner from the network's members.")])
    due_on = DateField("Due by", validators=[InputRequired("Enter the date the action is due.")])
    item = SelectField("Agenda item", coerce=_id, validate_choice=False)


class PlanRowForm(VersionedForm):
    action = StringField("Action", validators=[
        DataRequired("Enter the action."),
        Length(max=300, message="The action must be 300 characters or fewer.")])
    timescale = StringField("Timescale", validators=[Optional(), Length(max=120, message=(
        "The timescale must be 120 characters or fewer."))])
    resources = StringField("Resources", validators=[Optional(), Length(max=300, message=(
        "Resources must be 300 characters or fewer."))])
    involved = StringField("Who is involved", validators=[Optional(), Length(max=300, message=(
        "This must be 300 characters or fewer."))])
    success_criteria = _long("Success criteria")
    plan_status = SelectField("Status", choices=PLAN_STATUSES, default="not_started",
                         validate_choice=False)
    progress = _long("Progress notes")


def theirs_if_stale(form, row):
    """After a save refused because someone else saved first (409): ``row`` as they left it,
    for the page to show beside your text, with the form moved on to their version so that
    saving again keeps yours. Otherwise None."""
    if form.status != 409:
        return None
    form.version.data = str(row.version)
    form.form_errors[:] = [STALE_MERGE_MESSAGE if e == STALE_MESSAGE else e
                           for e in form.form_errors]
    return row


class NetworkForm(VersionedForm):
    """The network itself, changed by its leader or a lead after it is proposed."""

    name = ProposalForm.name
    purpose = ProposalForm.purpose
    priority = ProposalForm.priority
    is_open = ProposalForm.is_open
    leader = SelectField("Network leader", coerce=_id, validate_choice=False, description=(
        "Hand the network to one of its members; you stay a member."))
    critical_friend = DecisionOnProposalForm.critical_friend


class ReasonForm(BaseForm):
    reason = _long("Reason (optional)", "They are told it in the email.", limit=1000)


class DecisionEditForm(VersionedForm, DecisionForm):
    pass


class ActionEditForm(VersionedForm, ActionForm):
    item = None  # an action stays with the item it was recorded under


class AnswerForm(BaseForm):
    answer = RadioField("Will you be there?", choices=ANSWERS, validate_choice=False,
                        validators=[InputRequired("Choose whether you will be there or send "
                                                  "apologies.")])
    note = StringField("A note for the leader (optional)", description=(
        "For example: a colleague will come in my place."), validators=[
        Optional(), Length(max=300, message="The note must be 300 characters or fewer.")])


WEEKDAYS = {0: "Monday", 1: "Tuesday", 2: "Wednesday", 3: "Thursday", 4: "Friday"}


class SeriesForm(BaseForm):
    pattern = RadioField("How often", choices=SERIES_PATTERNS, default="half_term",
                         validate_choice=False,
                         validators=[InputRequired("Choose how often the meetings come.")])
    weekday = SelectField("Day of the week", choices=WEEKDAYS, coerce=int, default=1,
                          validate_choice=False)
    week = IntegerField("Week of the half term", default=3, description=(
        "Once each half term: week 1 is the week the half term starts in."), validators=[
        Optional(), NumberRange(1, 7, message="Enter the week of the half term, from 1 to 7.")])
    every = IntegerField("Weeks apart", default=2, description=(
        "Every few weeks: 2 is once a fortnight. Holidays are skipped."), validators=[
        Optional(), NumberRange(1, 12, message="Enter how many weeks apart, from 1 to 12.")])
    first_day = DateField("From", validators=[InputRequired(
        "Enter the date the series starts from.")])
    last_day = DateField("Until", validators=[InputRequired(
        "Enter the date the series runs until.")])
    # When and where each meeting is, as for one meeting.
    start, end, school = MeetingForm.start, MeetingForm.end, MeetingForm.school
    place, online_link = MeetingForm.place, MeetingForm.online_link
