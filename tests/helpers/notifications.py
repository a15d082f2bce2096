"""Notification helpers: a real SMTP server (aiosmtpd) on a free port, a message's text and HTML, a decision."""
from __future__ import annotations

import socket
from email import policy
from email.parser import BytesParser

from aiosmtpd.controller import Controller

from milepost.evidence import services as evidence
from milepost.extensions import db


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


def decide(submission, coach, action: str, note: str):
    evidence.transition(db.session, submission, "begin_review", by=coach, stage=1)
    evidence.transition(db.session, submission, action, by=coach, note=note)
    db.session.commit()
