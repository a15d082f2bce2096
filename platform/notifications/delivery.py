"""Email: rendered from the theme's templates (plain text and HTML), kept as OutgoingMail rows, and
sent after the transaction that made them commits, by an RQ worker when MILEPOST_REDIS_URL is set
or right away in this process otherwise. Sending never raises into the action that caused it: a
failure leaves the row pending with the error and a later time, and `milepost send-pending-mail`
tries again (doubling the wait each time, up to MAIL_MAX_ATTEMPTS)."""
from __future__ import annotations

import logging
import re
import smtplib
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import current_app, has_app_context
from sqlalchemy import select, update
from sqlalchemy.orm import Session
from werkzeug.routing import BuildError

from milepost.core.model import utcnow
from milepost.core.transactions import commit_batch
from milepost.extensions import db
from milepost.notifications.models import MailStatus, OutgoingMail

log = logging.getLogger(__name__)
PENDING_KEY = "milepost_outgoing_mail_ids"  # in Session.info: mail to send once this transaction commits
MAX_BACKOFF = timedelta(hours=12)


# --------------------------------------------------------------------------- links


def path_for(endpoint: str, **values) -> str:
    """A path on this site, with or without a request (commands, workers, tests with SERVER_NAME)."""
    return current_app.url_map.bind("localhost").build(endpoint, values)


def path_if_exists(endpoint: str, *, fallback: str, **values) -> str:
    """The endpoint's path if a feature has registered it, else the fallback (features arrive over time)."""
    if endpoint not in current_app.view_functions:
        return fallback
    try:
        return path_for(endpoint, **values)
    except BuildError:
        return fallback


def absolute(url: str) -> str:
    if not url or urlsplit(url).scheme:
        return url
    return current_app.config["BASE_URL"].rstrip("/") + "/" + url.lstrip("/")


# --------------------------------------------------------------------------- rendering


def _common(user, subject: str, unsubscribe: str | None) -> dict:
    theme = current_app.extensions["milepost_theme"]
    logo = theme.logo if theme.logo and not theme.logo.lower().endswith(".svg") else None  # mail apps drop SVG
    return {
        "theme": theme, "colours": theme.colours, "user": user, "name": user.display_name, "subject": subject,
        "site_url": current_app.config["BASE_URL"].rstrip("/"),
        "logo_url": absolute(path_for("theme.static", filename=logo)) if logo else None,
        "preferences_url": absolute(path_for("notifications.preferences")),
        "unsubscribe_url": unsubscribe,
    }


def render_pair(names: list[str], **context) -> tuple[str, str]:
    """(plain text, HTML) from the first of email/<name>.txt|.html the theme has.

    The templates are rendered straight from the Jinja environment, not with render_template, so that
    they work the same in a request, a command and a worker (no request-only context processors)."""
    env = current_app.jinja_env
    text = env.get_or_select_template([f"email/{n}.txt" for n in names]).render(context)
    html = env.get_or_select_template([f"email/{n}.html" for n in names]).render(context)
    text = re.sub(r"\n{3,}", "\n\n", text)  # blank lines left by template tags
    return text.strip() + "\n", html


def _list_headers(unsubscribe: str | None) -> dict:
    if not unsubscribe:
        return {}
    # RFC 2369 and RFC 8058: mail apps show their own "Unsubscribe" button and POST to the link.
    return {"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def _message_id() -> str:
    host = urlsplit(current_app.config["BASE_URL"]).hostname or "milepost.local"
    return make_msgid(domain=host)


def queue(session, user, kind: str, *, subject: str, context: dict, url: str, security: bool,
          unsubscribe: str | None) -> OutgoingMail:
    """Render one notification's email and add it to the caller's transaction (sent after commit)."""
    link = absolute(url) if url else ""
    if context.get("items"):  # listed links are paths on this site in the app; a mail needs them in full
        context = {**context, "items": [{**item, "url": absolute(item.get("url") or "")} for item in context["items"]]}
    text, html = render_pair([kind, "notification"], c=context, url=link, kind=kind, security=security,
                             **_common(user, subject, unsubscribe))
    now = utcnow()
    mail = OutgoingMail(user_id=user.id, kind=kind, to_address=user.email, subject=subject[:300], text_body=text,
                        html_body=html, headers=_list_headers(unsubscribe), security=security,
                        status=MailStatus.PENDING, attempts=0, last_error="", created_at=now, next_attempt_at=now,
                        message_id=_message_id())
    session.add(mail)
    return mail


def fill_digest(mail: OutgoingMail, user, groups: list, *, unsubscribe: str) -> None:
    """Write a digest mail: groups are (Kind, [Notification], unsubscribe link for that kind)."""
    theme = current_app.extensions["milepost_theme"]
    count = sum(len(items) for _, items, _ in groups)
    subject = f"Your {theme.display_name} digest: {count} update{'s' if count != 1 else ''}"
    shown = [{"label": kind.label, "kind": kind.name, "stop_url": stop,
              "items": [{"subject": n.subject, "message": n.message, "url": absolute(n.url) if n.url else "",
                         "at": n.created_at} for n in items]} for kind, items, stop in groups]
    text, html = render_pair(["digest"], groups=shown, count=count, **_common(user, subject, unsubscribe))
    mail.subject, mail.text_body, mail.html_body = subject[:300], text, html
    mail.headers, mail.message_id = _list_headers(unsubscribe), _message_id()
    mail.status, mail.attempts, mail.last_error = MailStatus.PENDING, 0, ""
    mail.created_at = mail.next_attempt_at = utcnow()


# --------------------------------------------------------------------------- after commit


def remember(session, mail: OutgoingMail) -> None:
    """Send `mail` once the caller's transaction commits (needs its id: the caller has flushed).
    The mails of one transaction go out together, after its commit; none if it rolls back."""
    commit_batch(session, PENDING_KEY, _dispatch_committed).append(mail.id)


def _dispatch_committed(ids: list[int]) -> None:
    if ids and has_app_context():
        dispatch(ids)




def dispatch(ids: list[int]) -> None:
    """Hand committed mail to the queue worker, or send it now; never raise into the caller."""
    app = current_app._get_current_object()
    if app.config.get("REDIS_URL"):
        try:
            enqueue(ids)
            return
        except Exception as exc:  # noqa: BLE001 - a queue outage must not lose or block the mail
            app.logger.warning("mail queue unavailable (%s); sending %d mail(s) now instead", exc, len(ids))
    try:
        deliver(ids)
    except Exception:  # noqa: BLE001 - e.g. the database went away; the rows stay pending for the cron
        app.logger.exception("mail %s could not be sent now; `milepost send-pending-mail` will retry", ids)


def _redis():
    from redis import Redis

    app = current_app._get_current_object()
    conn = app.extensions.get("milepost_mail_redis")
    if conn is None:
        conn = Redis.from_url(app.config["REDIS_URL"], socket_connect_timeout=2, socket_timeout=5)
        app.extensions["milepost_mail_redis"] = conn
    return conn


def mail_queue():
    from rq import Queue

    return Queue(current_app.config["MAIL_QUEUE"], connection=_redis())


def enqueue(ids: list[int]) -> None:
    mail_queue().enqueue("milepost.jobs.deliver_mail", list(ids), job_timeout=300,
                         result_ttl=0, failure_ttl=86400)


# --------------------------------------------------------------------------- sending


@dataclass
class Sent:
    sent: int = 0
    failed: int = 0
    skipped: int = 0


def send_pending(*, now: datetime | None = None, limit: int = 1000) -> Sent:
    """Every pending mail that is due (for `milepost send-pending-mail`, run from cron)."""
    now = now or utcnow()
    with Session(db.engine) as s:
        ids = s.scalars(select(OutgoingMail.id).where(OutgoingMail.status == MailStatus.PENDING,
                                                      OutgoingMail.next_attempt_at <= now)
                        .order_by(OutgoingMail.next_attempt_at, OutgoingMail.id).limit(limit)).all()
    return deliver(ids, now=now)


def deliver(ids: list[int], *, now: datetime | None = None) -> Sent:
    """Send these mails, each claimed first so two senders never send one twice; own session and commits."""
    config = current_app.config
    result = Sent()
    transport = Transport(config.get("SMTP_URL"), config["OUTBOX_PATH"], float(config["MAIL_TIMEOUT_SECONDS"]))
    try:
        with Session(db.engine, expire_on_commit=False) as s:
            for mail_id in ids:
                moment = now or utcnow()
                if not _claim(s, mail_id, moment):
                    result.skipped += 1
                    continue
                mail = s.get(OutgoingMail, mail_id, populate_existing=True)
                try:
                    transport.send(build_message(mail))
                except Exception as exc:  # noqa: BLE001 - whatever the server says, keep the mail for later
                    _failed(mail, exc, moment)
                    result.failed += 1
                else:
                    _sent(mail, moment)
                    result.sent += 1
                s.commit()
    finally:
        transport.close()
    return result


def _claim(s, mail_id: int, now: datetime) -> bool:
    """Take the mail for this sender: count the attempt and push its time on, so a parallel sender
    (or one that crashes mid-send) leaves it alone until then."""
    lease = now + timedelta(seconds=3 * float(current_app.config["MAIL_TIMEOUT_SECONDS"]) + 60)
    taken = s.execute(update(OutgoingMail)
                      .where(OutgoingMail.id == mail_id, OutgoingMail.status == MailStatus.PENDING,
                             OutgoingMail.next_attempt_at <= now)
                      .values(attempts=OutgoingMail.attempts + 1, next_attempt_at=lease)
                      .execution_options(synchronize_session=False)).rowcount
    s.commit()
    return bool(taken)


def _sent(mail: OutgoingMail, now: datetime) -> None:
    mail.status, mail.sent_at, mail.last_error = MailStatus.SENT, now, ""
    if mail.security:
        mail.text_body = mail.html_body = ""  # the sign-in link inside must not outlive the send
    log.info("mail %s (%s) sent to %s", mail.id, mail.kind, mail.to_address)


PERMANENT = (smtplib.SMTPRecipientsRefused,)


def _failed(mail: OutgoingMail, exc: Exception, now: datetime) -> None:
    config = current_app.config
    mail.last_error = f"{type(exc).__name__}: {exc}"[:1000]
    permanent = isinstance(exc, PERMANENT) or (
        isinstance(exc, (smtplib.SMTPSenderRefused, smtplib.SMTPDataError)) and 500 <= exc.smtp_code < 600)
    if permanent or mail.attempts >= int(config["MAIL_MAX_ATTEMPTS"]):
        mail.status = MailStatus.FAILED
        if mail.security:
            mail.text_body = mail.html_body = ""
        log.error("mail %s (%s) to %s failed for good after %d attempt(s): %s", mail.id, mail.kind,
                  mail.to_address, mail.attempts, mail.last_error)
        return
    wait = timedelta(minutes=float(config["MAIL_RETRY_MINUTES"]) * 2 ** max(mail.attempts - 1, 0))
    mail.next_attempt_at = now + min(wait, MAX_BACKOFF)
    log.warning("mail %s (%s) to %s not sent (attempt %d: %s); next try at %s", mail.id, mail.kind,
                mail.to_address, mail.attempts, mail.last_error, mail.next_attempt_at.isoformat(timespec="seconds"))


def build_message(mail: OutgoingMail) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = current_app.config["MAIL_FROM"]
    msg["To"] = mail.to_address
    msg["Subject"] = mail.subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = mail.message_id or _message_id()
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies, please
    for name, value in (mail.headers or {}).items():
        msg[name] = value
    msg.set_content(mail.text_body or "")
    if mail.html_body:
        msg.add_alternative(mail.html_body, subtype="html")
    return msg


class Transport:
    """SMTP (one connection for a batch) when MILEPOST_SMTP_URL is set, else the outbox folder and the log.

    smtp://user:pass@host:25, smtps://... (TLS from the start) or smtp+starttls://... A batch that
    cannot connect does not try again for each mail: they all wait for the next run."""

    def __init__(self, url: str | None, outbox: str, timeout: float):
        self.url, self.outbox, self.timeout = url, Path(outbox), timeout
        self.smtp: smtplib.SMTP | None = None
        self.broken: Exception | None = None

    def send(self, msg: EmailMessage) -> None:
        if not self.url:
            self.outbox.mkdir(parents=True, exist_ok=True)
            path = self.outbox / f"{uuid.uuid4().hex}.eml"
            path.write_bytes(msg.as_bytes())
            log.info("mail to %s (%s) written to %s", msg["To"], msg["Subject"], path)
            return
        if self.broken is not None:
            raise self.broken
        if self.smtp is None:
            try:
                self.smtp = self._connect()
            except Exception as exc:
                self.broken = exc
                raise
        try:
            self.smtp.send_message(msg)
        except smtplib.SMTPServerDisconnected:
            self.smtp = None
            raise

    def _connect(self) -> smtplib.SMTP:
        parts = urlsplit(self.url)
        secure = parts.scheme == "smtps"
        cls = smtplib.SMTP_SSL if secure else smtplib.SMTP
        smtp = cls(parts.hostname, parts.port or (465 if secure else 25), timeout=self.timeout)
        try:
            if parts.scheme == "smtp+starttls":
                smtp.starttls()
            if parts.username:
                smtp.login(unquote(parts.username), unquote(parts.password or ""))
        except Exception:
            smtp.close()
            raise
        return smtp

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except Exception:  # noqa: BLE001 - the mail is already handed over
                self.smtp.close()
            self.smtp = None
