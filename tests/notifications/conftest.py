"""Notification fixtures: a real SMTP server (aiosmtpd) on 127.0.0.1, the app pointed at it, and
one-line helpers to take a submission through the review chain."""
from __future__ import annotations

import socket
from email import policy
from email.parser import BytesParser

import pytest
from aiosmtpd.controller import Controller

from milepost.evidence import services as evidence
from milepost.extensions import db
from tests.badges.conftest import badge_doc, make_badge, make_strand  # noqa: F401 - fixtures
from tests.evidence.conftest import badge, fill_in, submission, teacher  # noqa: F401 - fixtures
from tests.points.conftest import award  # noqa: F401 - fixture


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class MailServer:
    """An SMTP server in a thread that keeps every message it accepts, parsed."""

    def __init__(self, port: int):
        self.port = port
        self.url = f"smtp://127.0.0.1:{port}"
        self.messages = []
        self.controller = None

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd handler hook
        message = BytesParser(policy=policy.default).parsebytes(envelope.content)
        self.messages.append(message)
        return "250 Message accepted for delivery"

    def start(self) -> MailServer:
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def to(self, address: str) -> list:
        return [m for m in self.messages if m["To"] == address]

    def subjects(self, address: str) -> list[str]:
        return [m["Subject"] for m in self.to(address)]


def text_of(message) -> str:
    return message.get_body(("plain",)).get_content()


def html_of(message) -> str:
    return message.get_body(("html",)).get_content()


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


def decide(submission, coach, action: str, note: str):
    evidence.transition(db.session, submission, "begin_review", by=coach, stage=1)
    evidence.transition(db.session, submission, action, by=coach, note=note)
    db.session.commit()
