"""Forms of the evidence pages. Answers come in as plain fields named after the prompt index."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms.validators import DataRequired


class PrivacyCheckForm(FlaskForm):
    confirm = BooleanField(
        "I have removed students' names, faces and other identifying details from my evidence, "
        "or marked the items that still show them as containing student information.",
        validators=[DataRequired("Please confirm the privacy check before you submit.")])


class ActionForm(FlaskForm):
    """A button that only needs the CSRF token (withdraw, reopen, remove an item)."""
