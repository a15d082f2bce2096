"""Forms of the data-rights pages."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length


class RemoveDataForm(FlaskForm):
    reason = TextAreaField("Reason", validators=[DataRequired("Give the reason."), Length(max=500)])
    revoke = BooleanField("Also revoke their credentials (otherwise they stay verifiable, without their name)")
    confirm_email = StringField("Type the person's email to confirm", validators=[DataRequired("Type the email.")])
