from wtforms import (
    BooleanField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..forms import MAX_SEARCH, BaseForm, MultiCheckboxField, VersionedForm, db_id, search_words
from ..people.models import PHASES
from .models import OFFERS, QUALIFICATIONS, RELATIONS

_id = db_id  # an id, or None


class SearchForm(BaseForm):
    class Meta:
        csrf = False

    q = StringField("Search by skill, name or job title",
                    description="For example phonics, SEND, behaviour or a colleague's name.",
                    filters=[search_words], render_kw={"maxlength": MAX_SEARCH})
    skill = IntegerField(validators=[Optional()])
    school = SelectField("School", coerce=_id, validate_choice=False)
    phase = SelectField("Phase", choices={"": "Any phase", **PHASES}, default="")
    category = SelectField("Skill area", default="")
    relation = SelectField("Can…", choices={"": "Any strength", **{
        k: v for k, v in RELATIONS.items()}}, default="")
    offer = SelectField("Offers", choices={"": "Any offer", **OFFERS}, default="")
    available = BooleanField("Available now (offers not paused)")
    page = IntegerField(validators=[Optional(), NumberRange(1, message="Enter a page number.")])


class ProfileForm(VersionedForm):
    job_title = StringField("Job title", validators=[
        Optional(), Length(max=120, message="Job title must be 120 characters or fewer.")])
    bio = TextAreaField("About you", description="A few lines colleagues will find useful: what "
                        "you have done, what you enjoy helping with.",
                        validators=[Optional(), Length(max=1000, message=
                                                       "Keep it to 1,000 characters or fewer.")])
    phases = MultiCheckboxField("Phases you have taught", choices=PHASES)
    subjects = StringField("Subjects", description="Separate subjects with commas.",
                           validators=[Optional(), Length(max=300, message=
                                                          "Subjects must be 300 characters or fewer.")])
    offers = MultiCheckboxField("What you can offer colleagues", choices=OFFERS)
    hours_per_term = IntegerField("Hours you can give per term", default=0,
                                  validators=[Optional(), NumberRange(0, 200, message=
                                              "Enter the hours you can give per term, from 0 to 200.")])
    offers_paused = BooleanField("Pause my offers for now (you stay in the directory)")
    qualifications = MultiCheckboxField(
        "Qualifications and training", choices=QUALIFICATIONS,
        description="Trained peer reviewers and improvement champions join review teams once "
                    "your headteacher or a cluster lead confirms the training.")
    show_email = BooleanField("Show my email address to colleagues in the partnership")


class SkillLinkForm(BaseForm):
    skill = StringField("Add a skill", description="Start typing and choose from the list.",
                        validators=[DataRequired("Enter a skill to add."),
                                    Length(max=100, message="Choose a skill from the list.")])
    relation = SelectField("How you relate to it", choices=RELATIONS, validate_choice=False,
                           validators=[DataRequired("Choose how you relate to this skill.")])


def _skill_name(missing: str) -> StringField:
    return StringField("Skill name", validators=[
        DataRequired(missing),
        Length(max=80, message="Skill names must be 80 characters or fewer.")])


def _category() -> SelectField:
    return SelectField("Category", coerce=_id, validate_choice=False,
                       validators=[DataRequired("Choose a category.")])


class SuggestSkillForm(BaseForm):
    name = _skill_name("Enter the skill you want to suggest.")
    category_id = _category()


class SkillForm(VersionedForm):
    name = _skill_name("Enter the skill's name.")
    category_id = _category()
    synonyms = TextAreaField("Other names people search by",
                             description="Separate them with commas, like SEN, special needs.",
                             validators=[Optional(), Length(max=2000)])
    approve = BooleanField("Approved: people can add it to their profiles")


class RejectForm(BaseForm):
    reason = TextAreaField("Why not (optional)",
                           description="We email this to the person who suggested it.",
                           validators=[Optional(), Length(max=500, message=(
                               "Keep the reason to 500 characters or fewer."))])


class MergeForm(BaseForm):
    into = SelectField("Merge into", coerce=_id, validate_choice=False,
                       validators=[DataRequired("Choose the skill to keep.")])


