"""Fixture plugin (loaded by tests/conftest.py): make_survey, a survey of any questions in one line."""
from __future__ import annotations

from datetime import timedelta

import pytest

from milepost.core.model import utcnow
from milepost.extensions import db
from milepost.surveys import services
from milepost.surveys.models import Question, Survey
from tests.helpers.surveys import likert


@pytest.fixture
def make_survey(app):
    """make_survey([question dicts], anonymous=True, audience="everyone", opens_in=-1, closes_in=7, ...)"""

    def make(questions=None, *, anonymous=True, audience="everyone", audience_role=None, school=None, pilot=None,
             survey_set=None, wave="", opens_in=-1, closes_in=7, status="published", title="Pilot check-in"):
        now = utcnow()
        survey = Survey(title=title, anonymous=anonymous, audience=audience, audience_role=audience_role,
                        audience_school_id=school.id if school else None, pilot_id=pilot.id if pilot else None,
                        set_id=survey_set.id if survey_set else None, wave=wave, status=status,
                        opens_at=now + timedelta(days=opens_in), closes_at=now + timedelta(days=closes_in),
                        own_key=services.new_key())
        for position, q in enumerate(questions if questions is not None else [likert()]):
            survey.questions.append(Question(position=position, **services.clean_question(q)))
        db.session.add(survey)
        db.session.commit()
        return survey

    return make
