"""Forms of the review pages. Per-criterion scores come in as plain fields named after the
criterion's index (level-0, glow-0, grow-0, comment-0), like the evidence answers."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import FieldList, Form, FormField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, NumberRange, Optional

from milepost.core.forms import IntegerField, choices, db_int
from milepost.reviews.models import DECISION_LABELS, DECISIONS, STAGE_KINDS, STAGE_LABELS

STAGE_CHOICES = [("", "Any stage")] + [(k, STAGE_LABELS[k]) for k in STAGE_KINDS]


class ActionForm(FlaskForm):
    """A button that only needs the CSRF token (claim, release, remove an anchor)."""


class ReviewForm(FlaskForm):
    decision = SelectField("Your decision", validate_choice=False)
    feedback = TextAreaField("Feedback for the teacher", validators=[Length(max=10000)],
                             description="The teacher reads this. Markdown is allowed.")
    holistic_reason = TextAreaField(
        "Why it meets the standard as a whole", validators=[Length(max=2000)],
        description="Only for a “meets” with a criterion below the meets level, where this badge allows a "
                    "holistic judgement. The teacher's credential quotes it.")
    private_note = TextAreaField("Note for the next stage", validators=[Length(max=10000)],
                                 description="Only reviewers at later stages (or the stage you pass it back to) "
                                             "read this; the teacher never sees it.")

    def set_stage(self, kind: str) -> None:
        options = [("", "Choose…")] if len(DECISIONS[kind]) > 1 else []
        self.decision.choices = choices(options + [(d, DECISION_LABELS[d]) for d in DECISIONS[kind]])


class AssignForm(FlaskForm):
    reviewer_id = SelectField("Reviewer", coerce=db_int, validate_choice=False)


class QueueFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form that only filters

    badge = SelectField("Badge", coerce=db_int, validate_choice=False)
    school = SelectField("School", coerce=db_int, validate_choice=False)
    stage = SelectField("Stage", choices=choices(STAGE_CHOICES), validate_choice=False)
    waiting = IntegerField("Waiting at least (days)", validators=[Optional(), NumberRange(min=0, max=365)])


class StageForm(Form):
    kind = SelectField("Stage",
                       choices=choices([("", "Remove this stage")] + [(k, STAGE_LABELS[k]) for k in STAGE_KINDS]),
                       validate_choice=False)
    required_reviews = IntegerField("Reviewers needed", default=1, validators=[Optional(), NumberRange(min=1, max=5)])
    skip_after_days = IntegerField("Skip after (days) when nobody can take it",
                                   validators=[Optional(), NumberRange(min=0, max=365)],
                                   description="Leave empty never to skip; 0 skips at once.")


class ChainForm(FlaskForm):
    stages = FieldList(FormField(StageForm), min_entries=1, label="Stages, in order")


class NewChainForm(FlaskForm):
    badge_id = SelectField("Badge", coerce=db_int, validate_choice=False)


class AnchorForm(FlaskForm):
    note = StringField("What this exemplar shows", validators=[Length(max=2000)])
