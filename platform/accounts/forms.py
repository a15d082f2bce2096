"""Forms of the PD office's people, school, PLC and roster pages (the sign-in and password forms are in
milepost.signin.forms)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, EmailField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from milepost.core.access import ROLE_LABELS
from milepost.core.forms import MultiCheckboxField, choices, db_int


class UserForm(FlaskForm):
    display_name = StringField("Name", validators=[DataRequired("Please give the person's name."), Length(max=120)])
    email = EmailField("Email", validators=[DataRequired("Please give an email address."), Length(max=254)])
    school_id = SelectField("School", coerce=db_int, validators=[Optional()])
    roles = MultiCheckboxField("Roles", choices=choices(ROLE_LABELS.items()),
                               validators=[DataRequired("Give the person at least one role.")])
    plc_ids = MultiCheckboxField("PLCs", coerce=db_int)
    active = BooleanField("Active (can sign in)", default=True)


class SchoolForm(FlaskForm):
    name = StringField("School name", validators=[DataRequired("Please give the school's name."), Length(max=160)])


class PLCForm(FlaskForm):
    name = StringField("PLC name", validators=[DataRequired("Please give the PLC a name."), Length(max=160)])
    description = TextAreaField("What the group works on", validators=[Length(max=500)])
    school_id = SelectField("School", coerce=db_int, description="Leave as district-wide for a PLC across schools.")
    facilitator_id = SelectField("Facilitator", coerce=db_int)
    member_ids = MultiCheckboxField("Members", coerce=db_int)


class RosterForm(FlaskForm):
    file = FileField("Roster file (CSV)", validators=[
        FileRequired("Please choose a CSV file."),
        FileAllowed(["csv", "txt"], "The roster must be a .csv file."),
    ])
