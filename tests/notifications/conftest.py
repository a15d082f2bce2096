"""Notification fixtures: a real SMTP server (aiosmtpd) on 127.0.0.1, the app pointed at it, a coach, and a
submission sent. (The server itself and one-line helpers are in tests/helpers/notifications.py.)"""
from __future__ import annotations

import pytest

from milepost.evidence import services as evidence
from milepost.extensions import db
from tests.helpers.evidence import fill_in
from tests.helpers.notifications import MailServer, free_port


@pytest.fixture
def smtp():
    server = MailServer(free_port()).start()
    yield server
    server.stop()


@pytest.fixture
def app_settings(smtp):
    return {"SMTP_URL": smtp.url, "MAIL_TIMEOUT_SECONDS": 5}


@pytest.fixture
def coach(make_user):
    """A coach who may review any submission (the built-in rule, whatever the review chains say)."""
    from milepost.core import signals
    from milepost.reviews import receivers

    signals.reviewer_asked.disconnect(receivers.is_reviewer)
    try:
        yield make_user("coach", "teacher", name="Cora Coach")
    finally:
        signals.reviewer_asked.connect(receivers.is_reviewer)


@pytest.fixture
def submitted(submission, teacher):
    """The teacher's submission, answered and submitted (committed: mail has gone)."""
    fill_in(submission, teacher)
    evidence.transition(db.session, submission, "submit", by=teacher)
    db.session.commit()
    return submission
