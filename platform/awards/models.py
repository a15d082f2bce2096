"""An award is the earned badge: the version it was earned under, how, and whether it still stands; and
each badge's stored count of holders."""
from __future__ import annotations

import secrets
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from milepost.core.model import in_list, utcnow
from milepost.extensions import db


class AwardHow(StrEnum):
    """How the badge came to be held: earned through the review chain, or awarded directly by the PD office."""

    EARNED = "earned"
    DIRECT = "direct"


class AwardStatus(StrEnum):
    """What an award is worth now (not stored: it follows revoked_at and expires_at)."""

    VALID = "valid"
    REVOKED = "revoked"
    EXPIRED = "expired"


HOWS = tuple(AwardHow)


def new_public_id() -> str:
    return secrets.token_urlsafe(16)


class Award(db.Model):
    __tablename__ = "award"
    __table_args__ = (
        # One award per person and badge version: a second approval, however simultaneous, finds this one.
        UniqueConstraint("user_id", "badge_version_id"),
        CheckConstraint(f"how IN ({in_list(HOWS)})", name="known_how"),
        Index("ix_award_badge_active", "badge_id", "revoked_at"),
        Index("ix_award_user_active", "user_id", "revoked_at"),
        # Reports: awards issued in a period, whose and of which badge (the dashboard and credit hours).
        Index("ix_award_issued_at", "issued_at", "revoked_at", "user_id", "badge_id"),
        # The awards with an expiry of some badges, without reading the ones that never expire.
        Index("ix_award_badge_expiring", "badge_id", "expires_at", "user_id"),
        # The badge page's go-to colleagues, without reading every holder of the badge.
        Index("ix_award_badge_go_to", "badge_id", "go_to", "revoked_at", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The stable, unguessable id in public verification URLs.
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="RESTRICT"))
    badge_id: Mapped[int] = mapped_column(ForeignKey("badge.id", ondelete="RESTRICT"))
    badge_version_id: Mapped[int] = mapped_column(ForeignKey("badge_version.id", ondelete="RESTRICT"))
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submission.id", ondelete="SET NULL"), unique=True)
    how: Mapped[str] = mapped_column(String(8), default=AwardHow.EARNED)
    note: Mapped[str] = mapped_column(Text, default="")  # why, for direct awards
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str] = mapped_column(Text, default="")
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # The earner's choices: hide their name on the public page; be listed as a go-to colleague.
    private: Mapped[bool] = mapped_column(Boolean, default=False)
    go_to: Mapped[bool] = mapped_column(Boolean, default=False)

    user: Mapped[User] = relationship(foreign_keys=[user_id])  # noqa: F821
    badge: Mapped[Badge] = relationship()  # noqa: F821
    badge_version: Mapped[BadgeVersion] = relationship()  # noqa: F821

    @property
    def active(self) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > utcnow())

    @property
    def status(self) -> AwardStatus:
        if self.revoked_at is not None:
            return AwardStatus.REVOKED
        if self.expires_at is not None and self.expires_at <= utcnow():
            return AwardStatus.EXPIRED
        return AwardStatus.VALID


class BadgeEarners(db.Model):
    """How many people hold the badge through an award that is not revoked and never expires: recounted by
    awards.services in the same transaction whenever one of the badge's awards is issued, revoked or given
    an expiry, so the catalogue reads one number per badge instead of counting its awards.
    Awards with an expiry are counted when read, since time alone ends them."""

    __tablename__ = "badge_earners"

    badge_id: Mapped[int] = mapped_column(ForeignKey("badge.id", ondelete="CASCADE"), primary_key=True)
    holders: Mapped[int] = mapped_column(default=0)
