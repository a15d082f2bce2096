"""The reports' filter forms. They only narrow what is read (GET), so they carry no CSRF token."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.validators import NumberRange, Optional

from milepost.core.forms import IntegerField, db_int


class _GetForm(FlaskForm):
    class Meta:
        csrf = False


class DashboardFilterForm(_GetForm):
    year = SelectField("School year", coerce=db_int, validate_choice=False)
    start = DateField("From", validators=[Optional()], description="Leave empty for the start of the school year.")
    end = DateField("To", validators=[Optional()], description="Leave empty for the end of the school year.")
    school = SelectField("School", coerce=db_int, validate_choice=False)
    strand = SelectField("Strand", coerce=db_int, validate_choice=False)
    pilot = SelectField("Pilot", coerce=db_int, validate_choice=False)


class CreditHoursForm(_GetForm):
    start = DateField("From", validators=[Optional()])
    end = DateField("To", validators=[Optional()])
    school = SelectField("School", coerce=db_int, validate_choice=False)


class PersonSearchForm(_GetForm):
    q = StringField("Name or email")


class AuditFilterForm(_GetForm):
    action = SelectField("Action", validate_choice=False)
    actor = StringField("Who (part of a name or email)")
    start = DateField("From", validators=[Optional()])
    end = DateField("To", validators=[Optional()])
    target_type = SelectField("Target kind", validate_choice=False)
    target_id = IntegerField("Target id", validators=[Optional(), NumberRange(min=1)])
