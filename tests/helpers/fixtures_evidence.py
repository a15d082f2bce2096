"""Fixture plugin (loaded by tests/conftest.py): badge (text, file and link prompts), teacher, submission."""
from __future__ import annotations

import pytest

from milepost.evidence import services
from milepost.extensions import db
from tests.helpers.evidence import PROMPTS


@pytest.fixture
def badge(make_badge):
    return make_badge("goal-setting", prompts=PROMPTS)


@pytest.fixture
def teacher(make_user):
    return make_user("teacher", name="Tess Teacher")


@pytest.fixture
def submission(badge, teacher):
    sub = services.start_badge(db.session, teacher, badge)
    db.session.commit()
    return sub
