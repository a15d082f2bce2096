"""Settings: built-in defaults, then instance/milepost.cfg, then MILEPOST_* variables."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent

DEFAULTS = {
    "THEME": "default",
    "THEMES_PATH": str(ROOT / "themes"),
    "BASE_URL": "http://127.0.0.1:5000",
    "MAIL_FROM": "Milepost <no-reply@milepost.local>",
    "SMTP_URL": None,
    "REDIS_URL": None,
    "MAX_FILE_MB": 100,          # one uploaded file (three minutes of phone video fits)
    "MAX_SUBMISSION_MB": 250,    # all the files of one attempt
    "STRIP_IMAGE_METADATA": True,  # re-encode uploaded photos without EXIF (location) data
    "EVIDENCE_RETENTION_DAYS": None,  # remove files of finished submissions after this many days (None: keep)
    "LINK_CHECK": "public",      # public | any | off: how evidence links are checked before submitting
    "PASSWORD_RESET_HOURS": 2,
    "LOGIN_RATE_LIMIT": "10 per minute;50 per hour",         # per client address
    "LOGIN_ACCOUNT_RATE_LIMIT": "5 per minute;20 per hour",  # per account, whatever the address
    "PAGE_SIZE": 25,
    "BENCH_ROUTES": False,      # bench/http.py's reference pages (/_bench/hello, /_bench/rows); never in production
    "SURVEY_MIN_GROUP": 5,      # survey results for a group smaller than this are not shown (privacy)
    "SURVEY_REMINDER_DAYS": 2,  # send-survey-reminders reminds people who have not answered this many days
                                # before closing
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "WTF_CSRF_TIME_LIMIT": None,
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    # Notifications
    "NOTIFY_COACH_ON_TIER": False,  # also tell a teacher's coaches (school coaches, PLC facilitators) of a tier reached
    "MAIL_RETRY_MINUTES": 5,        # first retry of a failed send; the wait doubles after each failure (at most 12 h)
    "MAIL_MAX_ATTEMPTS": 8,         # after this many failed sends a mail is marked failed and logged as an error
    "MAIL_TIMEOUT_SECONDS": 10,     # SMTP connect/send timeout, so a dead mail server never holds a request long
    "MAIL_QUEUE": "milepost-mail",  # the RQ queue `milepost worker` serves when MILEPOST_REDIS_URL is set
    # Credentials: where the private Ed25519 signing keys live; None means instance/credential-keys.
    # Several app servers must share this folder (or a copy of it), or signing fails with a clear error.
    "CREDENTIAL_KEYS_PATH": None,
    # The JSON-LD contexts gathered from their npm packages by `make install`; None means the project's
    # node_modules/.milepost-jsonld-contexts.json. Signing refuses any context not in it.
    "CREDENTIAL_CONTEXTS": None,
    # Reviews
    "REVIEW_POINTS": 10,                   # points for each completed review; 0 turns reviewer recognition off
    "REVIEW_CLAIM_HOURS": 48,              # a claimed review goes back to the queue after this long
    "REVIEW_TARGET_DAYS": 5,               # send-reminders nudges reviewers about items waiting longer
    "REVIEW_COMPLETENESS_TARGET_DAYS": 1,  # the PD office's completeness check answers within a day
    "REVIEW_STUCK_DAYS": 10,               # send-reminders tells the PD office about items waiting longer
    "REVIEW_ANONYMOUS": False,             # reviewers see an anonymised number (S-XXXXXX), not the teacher's name
    "REVIEW_PEERS_MUST_HOLD_BADGE": False, # only people who hold the badge may give peer feedback on it
    "REVIEW_TURNAROUND_DAYS": 5,           # target from sending evidence to its decision; the queue marks later work
    # Secrets at rest (docs/operators.md#secrets-at-rest): Fernet keys, newest first, comma-separated; empty means
    # one key derived from SECRET_KEY. Backups are encrypted with a key file or a passphrase (one is required).
    "SEALING_KEYS": "",
    "BACKUP_KEY_FILE": "",
    "BACKUP_PASSPHRASE": "",
}


def instance_path_from_env() -> str:
    """MILEPOST_INSTANCE_PATH, or instance/ at the top of the project."""
    path = os.environ.get("MILEPOST_INSTANCE_PATH")
    return str(Path(path).resolve()) if path else str(ROOT / "instance")


def load_settings(app: Flask, overrides: dict | None = None) -> None:
    app.config.update(DEFAULTS)
    app.config.from_pyfile("milepost.cfg", silent=True)
    app.config.from_prefixed_env(prefix="MILEPOST")
    if overrides:
        app.config.update(overrides)

    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    app.config.setdefault("UPLOAD_PATH", str(instance / "uploads"))
    app.config.setdefault("OUTBOX_PATH", str(instance / "outbox"))
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(instance / "secret_key")

    url = app.config.get("DATABASE_URL") or f"sqlite:///{instance / 'milepost.db'}"
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(url)
    # One request carries at most one whole file plus the form around it.
    app.config["MAX_CONTENT_LENGTH"] = (int(app.config["MAX_FILE_MB"]) + 2) * 1024 * 1024
    # Sign-in throttling counts live in Redis when there is one (shared by every worker).
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")
    if app.config["BASE_URL"].startswith("https://"):
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True


def normalise_database_url(url: str) -> str:
    """Accept the plain postgres:// forms people paste and use the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _instance_secret(path: Path) -> str:
    """A random key made on first start and kept, so sessions survive restarts."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass  # made earlier, or by another worker starting at the same moment
    else:
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(48))
    return path.read_text().strip()
