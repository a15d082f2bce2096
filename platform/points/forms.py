"""Forms of the points, degree and rewards pages."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, DecimalField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from milepost.core.forms import IntegerField, MultiCheckboxField, db_int


class TierForm(FlaskForm):
    name = StringField("Tier name", validators=[DataRequired("Give the tier a name."), Length(max=120)])
    description = TextAreaField("What this tier means", validators=[Length(max=2000)])
    threshold = IntegerField("Points needed", default=0,
                             validators=[NumberRange(min=0, message="The points cannot be negative.")])
    min_credit_hours = DecimalField("Credit hours needed", default=0, places=2, validators=[
        NumberRange(min=0, message="The hours cannot be negative.")])
    min_strands = IntegerField("Strands needed", default=0, description="Breadth: how many different strands",
                               validators=[NumberRange(min=0, max=50, message="Between 0 and 50.")])
    badges_per_strand = IntegerField("Badges in each of those strands", default=1,
                                     validators=[NumberRange(min=1, max=20, message="Between 1 and 20.")])
    required_badge_ids = MultiCheckboxField("Badges everyone at this tier must hold", coerce=db_int)


class RewardForm(FlaskForm):
    name = StringField("Reward", validators=[DataRequired("Give the reward a name."), Length(max=160)])
    description = TextAreaField("Description", validators=[Length(max=2000)])
    points_needed = IntegerField("Unlocked at this many points", validators=[Optional(), NumberRange(min=0)])
    tier_id = SelectField("Or on reaching this tier", coerce=db_int)
    active = BooleanField("Offered now", default=True)


class AdjustForm(FlaskForm):
    email = StringField("Person's email", validators=[DataRequired("Whose points?")])
    amount = IntegerField("Points (negative to remove)", validators=[DataRequired("How many points?")])
    reason = TextAreaField("Reason (the person sees it)", validators=[DataRequired("Give a reason."), Length(max=500)])


class DirectAwardForm(FlaskForm):
    badge_id = SelectField("Badge", coerce=db_int, validators=[DataRequired("Choose a badge.")])
    emails = TextAreaField("People (one email per line, or separated by commas)",
                           validators=[DataRequired("List at least one person.")])
    reason = StringField("Reason", validators=[DataRequired("Say why, e.g. the PD day they attended."),
                                               Length(max=300)])


class RevokeForm(FlaskForm):
    reason = TextAreaField("Reason for revoking", validators=[DataRequired("Give the reason."), Length(max=500)])
