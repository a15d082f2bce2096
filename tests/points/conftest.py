"""Points fixtures: published badges in strands, and a one-line award."""
from __future__ import annotations

import pytest

from milepost.awards.services import issue_award
from milepost.badges import services as badges
from milepost.extensions import db
from tests.badges.conftest import badge_doc, make_badge, make_strand  # noqa: F401


@pytest.fixture
def award(app):
    """award(user, badge) -> the Award, issued as if a coach had approved it."""

    def give(user, badge, by=None):
        version = badges.current_version(db.session, badge)
        made, _ = issue_award(db.session, user_id=user.id, badge=badge, version=version, by=by)
        db.session.commit()
        return made

    return give
