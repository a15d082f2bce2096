"""Survey fixtures: a survey set, a PD admin's client. (make_survey is in tests/helpers/fixtures_surveys.py;
likert and answer in tests/helpers/surveys.py.)"""
from __future__ import annotations

import pytest

from milepost.extensions import db
from milepost.surveys import services
from milepost.surveys.models import SurveySet


@pytest.fixture
def make_set(app):
    def make(name="Pilot waves", kind="waves"):
        survey_set = SurveySet(name=name, kind=kind, pseudonym_key=services.new_key())
        db.session.add(survey_set)
        db.session.commit()
        return survey_set

    return make


@pytest.fixture
def pd_client(as_role):
    return as_role("pd_admin")
