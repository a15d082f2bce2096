"""Survey fixtures: a survey of any questions in one line, people in or out of its audience,
and helpers that post answers the way a browser does."""
from __future__ import annotations

from datetime import timedelta

import pytest

from milepost.core.model import utcnow
from milepost.extensions import db
from milepost.surveys import services
from milepost.surveys.models import Question, Survey, SurveySet
from milepost.surveys.templates import AGREE5


def likert(prompt="I found the pilot useful.", key="useful", **extra) -> dict:
    return {"kind": "likert", "prompt": prompt, "key": key, "options": list(AGREE5), "required": True, **extra}


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


@pytest.fixture
def make_set(app):
    def make(name="Pilot waves", kind="waves"):
        survey_set = SurveySet(name=name, kind=kind, pseudonym_key=services.new_key())
        db.session.add(survey_set)
        db.session.commit()
        return survey_set

    return make


def answer(survey, user, values_by_position: dict, *, submit=True, now=None):
    """Save answers through the service, by question position among the asked questions."""
    asked = survey.asked
    values = {asked[i].id: v for i, v in values_by_position.items()}
    response = services.save_response(db.session, survey, user, values, submit=submit, now=now)
    db.session.commit()
    return response


@pytest.fixture
def pd_client(as_role):
    return as_role("pd_admin")
