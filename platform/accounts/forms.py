"""Sign-in, password and administration forms."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from milepost.accounts.services import MIN_PASSWORD
from milepost.core.access import ROLE_LABELS
from milepost.core.forms import MultiCheckboxField, choices



class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired("Please enter your email.")],
                       render_kw={"autocomplete": "username"})
    password = PasswordField("Password", validators=[DataRequired("Please enter your password.")],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField("Keep me signed in on this device")


def _new_password(label: str) -> PasswordField:
    return PasswordField(label, validators=[
        DataRequired("Please choose a password."),
        Length(min=MIN_PASSWORD, max=200, message=f"Use at least {MIN_PASSWORD} characters."),
    ], render_kw={"autocomplete": "new-password"},
        description=f"At least {MIN_PASSWORD} characters. A short sentence is easy to remember.")


def _confirm() -> PasswordField:
    return PasswordField("Type the new password again", validators=[
        DataRequired("Please type the new password again."),
        EqualTo("new_password", "The two passwords do not match."),
    ], render_kw={"autocomplete": "new-password"})


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField("Current password", validators=[DataRequired("Please enter your current password.")],
                                     render_kw={"autocomplete": "current-password"})
    new_password = _new_password("New password")
    confirm = _confirm()


class ResetRequestForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired("Please enter your email.")],
                       render_kw={"autocomplete": "username"})


class ResetForm(FlaskForm):
    new_password = _new_password("New password")
    confirm = _confirm()


class UserForm(FlaskForm):
    display_name = StringField("Name", validators=[DataRequired("Please give the person's name."), Length(max=120)])
    email = EmailField("Email", validators=[DataRequired("Please give an email address."), Length(max=254)])
    school_id = SelectField("School", coerce=int, validators=[Optional()])
    roles = MultiCheckboxField("Roles", choices=choices(ROLE_LABELS.items()),
                               validators=[DataRequired("Give the person at least one role.")])
    plc_ids = MultiCheckboxField("PLCs", coerce=int)
    active = BooleanField("Active (can sign in)", default=True)


class SchoolForm(FlaskForm):
    name = StringField("School name", validators=[DataRequired("Please give the school's name."), Length(max=160)])


class PLCForm(FlaskForm):
    name = StringField("PLC name", validators=[DataRequired("Please give the PLC a name."), Length(max=160)])
    description = TextAreaField("What the group works on", validators=[Length(max=500)])
    school_id = SelectField("School", coerce=int, description="Leave as district-wide for a PLC across schools.")
    facilitator_id = SelectField("Facilitator", coerce=int)
    member_ids = MultiCheckboxField("Members", coerce=int)


class RosterForm(FlaskForm):
    file = FileField("Roster file (CSV)", validators=[
        FileRequired("Please choose a CSV file."),
        FileAllowed(["csv", "txt"], "The roster must be a .csv file."),
    ])
