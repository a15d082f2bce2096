"""Forms of the credentials admin pages."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from milepost.core.forms import IntegerField, db_int


class IssuerForm(FlaskForm):
    name = StringField("District name", description="Blank uses the theme's name.", validators=[Length(max=200)])
    url = StringField("District website", description="Blank uses this site's address.", validators=[Length(max=500)])
    email = StringField("Contact email", description="Where a verifier can ask about a credential.",
                        validators=[Length(max=254)])
    image_url = StringField("Logo address (PNG or SVG)", description="Blank uses the theme's logo.",
                            validators=[Length(max=500)])
    description = TextAreaField("About the district as issuer", validators=[Length(max=2000)])


class ValidityForm(FlaskForm):
    badge_id = SelectField("Badge", coerce=db_int, validators=[DataRequired("Choose a badge.")])
    months = IntegerField("Valid for (months)", description="Leave blank for no expiry. Applies to new awards.",
                          validators=[Optional(), NumberRange(min=1, max=600, message="Between 1 and 600 months.")])


class RecordRequestForm(FlaskForm):
    email = StringField("The person's email", validators=[DataRequired("Whose record?"), Length(max=254)])
    note = TextAreaField("Who asked, and how", validators=[DataRequired("Note who asked and how."), Length(max=1000)])


class VerifyForm(FlaskForm):
    file = FileField("A badge image or credential file", description="A baked PNG or SVG badge, or a .json or "
                     ".jwt credential file.")
    text = TextAreaField("…or paste the credential or its address",
                         description="An Open Badges 3.0 JWT or JSON, or the address of a badge "
                                     "(its public page, or its Open Badges 2.0 or 3.0 document).",
                         validators=[Length(max=2_000_000)])


class OutsideCredentialForm(VerifyForm):
    submission_id = SelectField("Use it as evidence for", coerce=int, validators=[Optional()])
