"""What credentials keep: the issuer identity, signing-key metadata (the private keys live in the
instance folder), each award's recipient salt and status-list index, badge validity periods,
learning-record requests made to the PD office and the outside credentials teachers bring."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from milepost.core.model import utcnow
from milepost.extensions import db

# Bitstring Status List: at least 131,072 entries (16 KB) so one revoked bit says little about whom.
STATUS_LIST_SIZE = 131072


class IssuerProfile(db.Model):
    """The district as issuer (one row). Blank fields fall back to the theme's name and BASE_URL."""

    __tablename__ = "credential_issuer"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    url: Mapped[str] = mapped_column(String(500), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    image_url: Mapped[str] = mapped_column(String(500), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))


class SigningKey(db.Model):
    """Public half and life of a signing key (algorithm RS256: VC-JWTs; EdDSA: Ed25519 Data Integrity
    proofs). Retired keys stay published so old credentials verify."""

    __tablename__ = "credential_signing_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    kid: Mapped[str] = mapped_column(String(64), unique=True)
    algorithm: Mapped[str] = mapped_column(String(20), default="EdDSA")
    public_jwk: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    retired_at: Mapped[datetime | None]


class AwardCredential(db.Model):
    """Per award: the salt of the hashed recipient email and the award's place in the status list,
    fixed once so every served or downloaded form of the credential agrees."""

    __tablename__ = "credential_award"
    __table_args__ = (
        UniqueConstraint("status_list", "status_index"),
        CheckConstraint(f"status_index >= 0 AND status_index < {STATUS_LIST_SIZE}", name="index_in_list"),
    )

    award_id: Mapped[int] = mapped_column(ForeignKey("award.id", ondelete="CASCADE"), primary_key=True)
    salt: Mapped[str] = mapped_column(String(32))
    status_list: Mapped[int] = mapped_column(default=1)
    status_index: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    award: Mapped[Award] = relationship()  # noqa: F821


class BadgeValidity(db.Model):
    """How long awards of a badge stay valid (e.g. recertify after 36 months); none means no expiry."""

    __tablename__ = "credential_badge_validity"
    __table_args__ = (CheckConstraint("months BETWEEN 1 AND 600", name="months_range"),)

    badge_id: Mapped[int] = mapped_column(ForeignKey("badge.id", ondelete="CASCADE"), primary_key=True)
    months: Mapped[int]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    badge: Mapped[Badge] = relationship()  # noqa: F821


class LearningRecordRequest(db.Model):
    """A request to the PD office for someone's learning record (e.g. after they left the district)."""

    __tablename__ = "credential_record_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    downloaded_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(foreign_keys=[user_id])  # noqa: F821
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])  # noqa: F821


class OutsideCredentialStatus(StrEnum):
    """What the check of a brought credential found; the values are what the status column stores."""

    VALID = "valid"
    REVOKED = "revoked"
    EXPIRED = "expired"
    REFUSED = "refused"


class OutsideCredential(db.Model):
    """A credential from another issuer that a teacher brought, to their record or as evidence for one of
    their submissions: what was brought, what Milepost checked (every check and its outcome) and when."""

    __tablename__ = "credential_outside"
    __table_args__ = (
        CheckConstraint(f"status IN ({', '.join(repr(s.value) for s in OutsideCredentialStatus)})",
                        name="known_status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submission.id", ondelete="SET NULL"), index=True)
    format: Mapped[str] = mapped_column(String(60))
    original: Mapped[str] = mapped_column(Text)  # the JWT, JSON, address, or the baked image as base64
    status: Mapped[str] = mapped_column(String(20))
    issuer_id: Mapped[str] = mapped_column(String(500), default="")
    issuer_name: Mapped[str] = mapped_column(String(300), default="")
    achievement: Mapped[str] = mapped_column(String(300), default="")
    checks: Mapped[list] = mapped_column(JSON)
    checked_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()  # noqa: F821
