from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional

from ..forms import BaseForm, MultiCheckboxField, VersionedForm, db_id
from ..people.models import PHASES

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]


class PartnershipForm(VersionedForm):
    name = StringField("Partnership name", validators=[
        DataRequired("Enter the partnership's name."),
        Length(max=120, message="Name must be 120 characters or fewer.")])
    year_start_month = SelectField(
        "Academic year starts in", coerce=int,
        choices={i + 1: m for i, m in enumerate(MONTHS)},
        validators=[NumberRange(1, 12, message="Choose a month.")])
    max_reviews_per_year = IntegerField(
        "Most reviews one person joins in a year", description="Leave blank for no limit. "
        "The team picker shows those at the limit but does not let them be chosen.",
        validators=[Optional(), NumberRange(1, 50, message="Enter a number from 1 to 50, or "
                                                            "leave it blank.")])
    controller_name = StringField(
        "Data controller", description="Who is responsible for the data, as the privacy "
        "notice names them. Leave blank to use the partnership's name.",
        validators=[Optional(), Length(max=200, message="Keep it to 200 characters or fewer.")])
    dpo_contact = StringField(
        "Data protection officer contact", description="A name and an email or phone "
        "number, like: Sam Patel, dpo@trust.org.uk",
        validators=[Optional(), Length(max=300, message="Keep it to 300 characters or fewer.")])
    privacy_text = TextAreaField(
        "More for the privacy notice", description="Anything the partnership adds, such as "
        "where its own policies are. A blank line starts a new paragraph.",
        validators=[Optional(), Length(max=5000, message="Keep it to 5,000 characters or "
                                                         "fewer.")])


class SchoolForm(VersionedForm):
    name = StringField("School name", validators=[
        DataRequired("Enter the school's name."),
        Length(max=120, message="Name must be 120 characters or fewer.")])
    urn = StringField("URN", description="The six-digit unique reference number, like 100000.",
                      validators=[DataRequired("Enter the school's URN."),
                                  Length(max=6, message="URN must be 6 digits, like 100000.")])
    phase = SelectField("Phase", choices={"": "Choose a phase", **PHASES}, validate_choice=False,
                        validators=[DataRequired("Choose the school's phase.")])
    town = StringField("Town", validators=[Optional(), Length(max=80, message="Town must be 80 characters or fewer.")])
    local_authority = StringField("Local authority", validators=[
        Optional(), Length(max=80, message="Local authority must be 80 characters or fewer.")])
    website = URLField("Website", description="For example https://www.school.org.uk",
                       validators=[Optional(), Length(max=200, message="Website must be 200 characters or fewer.")])
    active = BooleanField("Active in the partnership", default=True)
    # Single sign-on (auth/oidc.py).
    email_domains = TextAreaField(
        "Staff email domains", description="One a line, the part after the @, like "
        "kingsmere.sch.uk. Signing in with a school account finds staff by these.",
        validators=[Optional(), Length(max=2000, message="Enter at most 2,000 characters.")])
    entra_tenant_id = StringField(
        "Microsoft Entra tenant ID", description="Only for schools on Microsoft 365: the "
        "Directory (tenant) ID your IT lead sees in the Entra admin centre.",
        validators=[Optional(), Length(max=36, message="The tenant ID is 36 characters.")])
    sso_creates_accounts = BooleanField(
        "A first sign-in with a school account from these domains creates a staff account")
    passwords_off = BooleanField(
        "Staff sign in only with their school account, not a password",
        description="Once single sign-on works here. Administrators keep their password.")


class UserForm(VersionedForm):
    name = StringField("Full name", validators=[
        DataRequired("Enter the person's full name."),
        Length(max=120, message="Name must be 120 characters or fewer.")])
    email = EmailField("Email address", validators=[
        DataRequired("Enter the person's email address."),
        Length(max=254, message="Email address must be 254 characters or fewer."),
        Email(message="Enter an email address in the correct format, like name@school.org.uk.",
              check_deliverability=False)])
    school_id = SelectField("School", coerce=db_id,
                            validate_choice=False)
    job_title = StringField("Job title", validators=[
        Optional(), Length(max=120, message="Job title must be 120 characters or fewer.")])
    roles = MultiCheckboxField("Roles", description="Everyone is a member of staff. Tick any extra roles.",
                               validate_choice=False)


class FilterForm(BaseForm):
    class Meta:
        csrf = False

    q = StringField("Search by name, email or job title", validators=[Optional(), Length(max=100)])
    school = SelectField("School", coerce=db_id,
                         validate_choice=False)
    role = SelectField("Role", validate_choice=False)
    status = SelectField("Status", choices={"": "Any status", "active": "Active",
                                           "invited": "Invited", "inactive": "Deactivated"},
                         validate_choice=False)
    page = IntegerField(validators=[Optional()])
