"""Outgoing email: SMTP when MILEPOST_SMTP_URL is set, else an outbox folder and the log."""
from __future__ import annotations

import smtplib
import uuid
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import current_app


def send_mail(to: str, subject: str, body: str) -> EmailMessage:
    config = current_app.config
    msg = EmailMessage()
    msg["From"] = config["MAIL_FROM"]
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain="milepost.local")
    msg.set_content(body)

    if config.get("SMTP_URL"):
        _send_smtp(config["SMTP_URL"], msg)
    else:
        outbox = Path(config["OUTBOX_PATH"])
        outbox.mkdir(parents=True, exist_ok=True)
        path = outbox / f"{uuid.uuid4().hex}.eml"
        path.write_bytes(msg.as_bytes())
        current_app.logger.info("mail to %s (%s) written to %s", to, subject, path)
    return msg


def send_after_commit(session, to: str, subject: str, body: str) -> None:
    """Send only once the caller's transaction has committed (never for work that rolled back)."""
    from milepost.core.transactions import on_commit

    on_commit(session, lambda: send_mail(to, subject, body))


def _send_smtp(url: str, msg: EmailMessage) -> None:
    """smtp://user:pass@host:25, smtps://... (TLS from the start) or smtp+starttls://..."""
    parts = urlsplit(url)
    secure = parts.scheme == "smtps"
    cls = smtplib.SMTP_SSL if secure else smtplib.SMTP
    with cls(parts.hostname, parts.port or (465 if secure else 25), timeout=20) as smtp:
        if parts.scheme == "smtp+starttls":
            smtp.starttls()
        if parts.username:
            smtp.login(unquote(parts.username), unquote(parts.password or ""))
        smtp.send_message(msg)


def outbox_messages() -> list[EmailMessage]:
    """The outbox, oldest first (for the demo and the tests)."""
    from email import policy
    from email.parser import BytesParser

    outbox = Path(current_app.config["OUTBOX_PATH"])
    files = sorted(outbox.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns) if outbox.exists() else []
    return [BytesParser(policy=policy.default).parsebytes(p.read_bytes()) for p in files]
