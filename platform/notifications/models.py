"""Notification rows (the in-app list), each person's choices per kind, and the outgoing-mail queue."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from milepost.core.model import in_list, utcnow
from milepost.extensions import db


class Channel(StrEnum):
    """How a person wants one kind of notification emailed."""

    IMMEDIATE = "immediate"
    DIGEST = "digest"  # in the daily digest
    OFF = "off"        # in the in-app list only


class MailStatus(StrEnum):
    """Where an outgoing mail is: waiting (for its first send or a retry), sent, or given up on."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class DigestState(StrEnum):
    """A digest notification's part in the daily digest: waiting, sent in one, or dropped (turned off since)."""

    PENDING = "pending"
    SENT = "sent"
    DROPPED = "dropped"


CHANNELS = tuple(Channel)
MAIL_STATUSES = tuple(MailStatus)
DIGEST_STATES = tuple(DigestState)


class OutgoingMail(db.Model):
    """One rendered email. Written in the transaction that caused it, sent after it commits;
    a failed send stays pending with the error and the time of the next try (see delivery.py)."""

    __tablename__ = "outgoing_mail"
    __table_args__ = (
        CheckConstraint(f"status IN ({in_list(MAIL_STATUSES)})", name="known_status"),
        # `milepost send-pending-mail` asks for pending mail that is due.
        Index("ix_outgoing_mail_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    text_body: Mapped[str] = mapped_column(Text, default="")
    html_body: Mapped[str] = mapped_column(Text, default="")
    headers: Mapped[dict] = mapped_column(JSON, default=dict)
    # Security mails (password reset, invitation) carry a sign-in link: their bodies are wiped once sent.
    security: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(10), default=MailStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    message_id: Mapped[str] = mapped_column(String(200), default="")


class Notification(db.Model):
    """One message to one person, shown in their list whatever their email choice."""

    __tablename__ = "notification"
    __table_args__ = (
        CheckConstraint(f"email IN ({in_list(CHANNELS)})", name="known_email"),
        CheckConstraint(f"digest_state IS NULL OR digest_state IN ({in_list(DIGEST_STATES)})",
                        name="known_digest_state"),
        # The header's unread count on every page: COUNT(*) WHERE user_id = ? AND read_at IS NULL.
        Index("ix_notification_user_unread", "user_id", "read_at"),
        # The list page: a person's notifications, newest first.
        Index("ix_notification_user_created", "user_id", "created_at"),
        # `milepost send-digests` looks for pending digest items.
        Index("ix_notification_digest", "digest_state", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(300))
    # What the templates show: "message" (a sentence or two), optional "feedback", "items" ...
    context: Mapped[dict] = mapped_column(JSON, default=dict)
    # The page of the thing concerned (a path on this site, or empty).
    url: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
    # How it was emailed, decided by the person's choice when it was made.
    email: Mapped[str] = mapped_column(String(10), default=Channel.IMMEDIATE)
    digest_state: Mapped[str | None] = mapped_column(String(10))
    mail_id: Mapped[int | None] = mapped_column(ForeignKey("outgoing_mail.id", ondelete="SET NULL"), index=True)

    mail: Mapped[OutgoingMail | None] = relationship()

    @property
    def message(self) -> str:
        return str((self.context or {}).get("message", ""))


class NotificationPreference(db.Model):
    """A person's email choice for one kind; no row means the kind's default."""

    __tablename__ = "notification_preference"
    __table_args__ = (CheckConstraint(f"channel IN ({in_list(CHANNELS)})", name="known_channel"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    channel: Mapped[str] = mapped_column(String(10))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
