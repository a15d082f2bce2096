"""Fixture plugin (loaded by tests/conftest.py): award(user, badge), a one-line award as if a coach had approved it."""
from __future__ import annotations

import pytest

from milepost.awards.services import issue_award
from milepost.badges import services as badges
from milepost.extensions import db


@pytest.fixture
def award(app):
    """award(user, badge) -> the Award, issued as if a coach had approved it."""

    def give(user, badge, by=None):
        version = badges.current_version(db.session, badge)
        made, _ = issue_award(db.session, user_id=user.id, badge=badge, version=version, by=by)
        db.session.commit()
        return made

    return give
