"""An award is the earned badge: the version it was earned under, how, and whether it still stands."""
from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from milepost.core.model import utcnow
from milepost.extensions import db


def new_public_id() -> str:
    return secrets.token_urlsafe(16)


class Award(db.Model):
    __tablename__ = "award"
    __table_args__ = (
        # One award per person and badge version: a second approval, however simultaneous, finds this one.
        UniqueConstraint("user_id", "badge_version_id"),
        CheckConstraint("how IN ('earned', 'direct')", name="known_how"),
        Index("ix_award_badge_active", "badge_id", "revoked_at"),
        Index("ix_award_user_active", "user_id", "revoked_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The stable, unguessable id in public verification URLs.
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="RESTRICT"))
    badge_id: Mapped[int] = mapped_column(ForeignKey("badge.id", ondelete="RESTRICT"))
    badge_version_id: Mapped[int] = mapped_column(ForeignKey("badge_version.id", ondelete="RESTRICT"))
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submission.id", ondelete="SET NULL"), unique=True)
    how: Mapped[str] = mapped_column(String(8), default="earned")
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

    user: Mapped["User"] = relationship(foreign_keys=[user_id])  # noqa: F821
    badge: Mapped["Badge"] = relationship()  # noqa: F821
    badge_version: Mapped["BadgeVersion"] = relationship()  # noqa: F821

    @property
    def active(self) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > utcnow())

    @property
    def status(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= utcnow():
            return "expired"
        return "valid"
