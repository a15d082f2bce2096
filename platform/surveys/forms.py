"""Forms of the pilot and survey pages. Answers to a survey are read by services.parse_answers,
since each survey has its own questions; ActionForm only carries the CSRF token there."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, NumberRange, Optional

from milepost.core.access import ROLE_LABELS
from milepost.core.forms import IntegerField, MultiCheckboxField, choices, db_int
from milepost.surveys.models import AUDIENCE_LABELS, EVAL_LEVEL_LABELS, KIND_LABELS, PILOT_PART_LABELS, WAVE_LABELS

NONE = 0


class ActionForm(FlaskForm):
    """A button that only needs the CSRF token (publish, close, move, save answers)."""


class PilotForm(FlaskForm):
    name = StringField("Name")
    goals = TextAreaField("Goals", description="What the pilot should show. Markdown is allowed.")
    starts_on = DateField("Starts on", validators=[Optional()])
    ends_on = DateField("Ends on", validators=[Optional()])
    teacher_ids = MultiCheckboxField("Teachers in the cohort", coerce=db_int)
    add_school_id = SelectField("Also add every teacher at a school", coerce=db_int)
    add_plc_id = SelectField("Also add every member of a PLC", coerce=db_int)
    reviewer_ids = MultiCheckboxField("Their reviewers", coerce=db_int,
                                      description="Coaches and peers who review the cohort's evidence.")
    badge_ids = MultiCheckboxField("Badges in scope", coerce=db_int)


class SurveyForm(FlaskForm):
    title = StringField("Title")
    intro = TextAreaField("Introduction", description="Shown above the questions. Markdown is allowed.")
    anonymous = BooleanField("Anonymous", description="Answers are kept without names; results never show "
                                                      "who said what.")
    audience = SelectField("Who is it for?", choices=choices(list(AUDIENCE_LABELS.items())))
    audience_role = SelectField("Role", choices=choices([("", "Choose a role")] + list(ROLE_LABELS.items())))
    audience_school_id = SelectField("School", coerce=db_int)
    pilot_id = SelectField("Pilot", coerce=db_int, description="Needed when the survey is for a pilot's cohort.")
    audience_pilot_role = SelectField("Which of the pilot's people", choices=choices(list(PILOT_PART_LABELS.items())),
                                      validate_choice=False,  # optional; services.save_survey checks the value
                                      description="A survey about earning badges is for the cohort's teachers; "
                                                  "reviewers can have a survey of their own.")
    set_id = SelectField("Compare over time with", coerce=db_int,
                         description="Surveys in the same set are compared question by question, for the "
                                     "same respondents.")
    wave = SelectField("Wave", choices=choices([("", "Not part of a pre/mid/post set")] + list(WAVE_LABELS.items())))
    opens_on = DateField("Opens on", validators=[Optional()])
    closes_on = DateField("Closes at the end of", validators=[Optional()])


class QuestionForm(FlaskForm):
    prompt = StringField("Question")
    help = TextAreaField("Help text", description="Optional; shown under the question.")
    required = BooleanField("An answer is required")
    eval_level = SelectField("Evaluation level",
                             choices=choices([("", "Not tagged")] + list(EVAL_LEVEL_LABELS.items())),
                             description="What this question tells you about the professional learning.")
    key = StringField("Comparison key", description="Questions with the same key are compared across the surveys "
                                                     "of a set. Leave empty to use the question's wording.")
    options = TextAreaField("Options, one per line")
    indicators = TextAreaField("Indicators, one per line",
                               description="Optionally describe each level after a bar: "
                                           "Indicator | what Starting looks like | Practicing | Sustaining")
    min_value = StringField("Smallest allowed number", validators=[Optional()])
    max_value = StringField("Largest allowed number", validators=[Optional()])
    show_if = SelectField("Ask it only after an answer", validate_choice=False,  # the service checks it
                          description="Skip logic: people see this question only when they gave this answer to "
                                      "an earlier question.")
    retrospective = BooleanField("Ask it twice: \"before the pilot\" and \"now\"",
                                 description="A retrospective pair, answered in one sitting (post surveys).")


class PulseForm(FlaskForm):
    days_open = IntegerField("Days each month's survey stays open", default=14,
                             validators=[InputRequired("Please say how many days."), NumberRange(1, 28)])


def kind_choices():
    return choices(list(KIND_LABELS.items()))
