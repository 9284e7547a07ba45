from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from ..forms import BaseForm

EMAIL_MISSING = "Enter your email address."
EMAIL_BAD = "Enter an email address in the correct format, like name@school.org.uk."


class LoginForm(BaseForm):
    email = EmailField("Email address", validators=[
        DataRequired(EMAIL_MISSING), Length(max=254, message=EMAIL_BAD)])
    password = PasswordField("Password", validators=[
        DataRequired("Enter your password."), Length(max=256, message="Enter your password.")])
    remember = BooleanField("Keep me signed in on this device for 30 days")


class SetPasswordForm(BaseForm):
    password = PasswordField(
        "New password",
        description="At least 10 characters. Three or more random words make a strong "
        "password that is easy to remember. Very common passwords are not allowed.",
        validators=[DataRequired("Enter a new password.")])
    confirm = PasswordField("Confirm new password", validators=[
        DataRequired("Enter the new password again."),
        EqualTo("password", message="The two passwords do not match."),
    ])


class ChangePasswordForm(SetPasswordForm):
    current_password = PasswordField("Current password", validators=[
        DataRequired("Enter your current password.")])


class ResetRequestForm(BaseForm):
    email = EmailField("Email address", validators=[
        DataRequired(EMAIL_MISSING), Length(max=254, message=EMAIL_BAD),
        Email(message=EMAIL_BAD, check_deliverability=False)])


class CodeForm(BaseForm):
    code = StringField("Code", validators=[
        DataRequired("Enter the 6-digit code from your authenticator app."),
        Length(max=40, message="Enter the 6-digit code from your authenticator app.")])


class ReauthForm(BaseForm):
    secret = PasswordField("Password, or a code from your authenticator app", validators=[
        DataRequired("Enter your password or a code."),
        Length(max=256, message="Enter your password or a code.")])
