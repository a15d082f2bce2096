"""The catalogue: strands, badges with their prompts and rubric, published versions, collections."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from milepost.core.model import Timestamped, in_list, utcnow
from milepost.extensions import db


class BadgeKind(StrEnum):
    """What a badge asks for: evidence of practice, or proof of outside learning with fixed credit hours."""

    PRACTICE = "practice"
    OUTSIDE_LEARNING = "outside_learning"


class BadgeStatus(StrEnum):
    """Where a badge is in its life; badges.services.TRANSITIONS says which moves are allowed."""

    DRAFT = "draft"
    PUBLISHED = "published"
    RETIRED = "retired"


class PromptKind(StrEnum):
    """What one submission prompt asks the teacher to send."""

    TEXT = "text"
    FILE = "file"
    LINK = "link"


class ImageType(StrEnum):
    """The media type of an uploaded badge image (PNG or JPEG, told by its first bytes)."""

    PNG = "image/png"
    JPEG = "image/jpeg"


KINDS = tuple(BadgeKind)
KIND_LABELS = {BadgeKind.PRACTICE: "Practice badge", BadgeKind.OUTSIDE_LEARNING: "Outside learning"}
STATUSES = tuple(BadgeStatus)
PROMPT_KINDS = tuple(PromptKind)
PROMPT_KIND_LABELS = {PromptKind.TEXT: "Written answer", PromptKind.FILE: "File upload", PromptKind.LINK: "Link"}
LEVELS = (1, 2, 3)


badge_prerequisite = Table(
    "badge_prerequisite",
    db.metadata,
    Column("badge_id", ForeignKey("badge.id", ondelete="CASCADE"), primary_key=True),
    Column("prerequisite_id", ForeignKey("badge.id", ondelete="CASCADE"), primary_key=True, index=True),
    CheckConstraint("badge_id <> prerequisite_id", name="not_itself"),
)


class Strand(Timestamped, db.Model):
    """A district priority that badges are grouped under, shown in the PD office's order."""

    __tablename__ = "strand"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)

    def __repr__(self) -> str:
        return f"<Strand {self.slug}>"


class Badge(Timestamped, db.Model):
    """The current content of a badge. Each published state is kept as a BadgeVersion."""

    __tablename__ = "badge"
    __table_args__ = (
        CheckConstraint(f"kind IN ({in_list(KINDS)})", name="known_kind"),
        CheckConstraint(f"status IN ({in_list(STATUSES)})", name="known_status"),
        CheckConstraint("level BETWEEN 1 AND 3", name="level_range"),
        CheckConstraint("points >= 0", name="points_not_negative"),
        CheckConstraint("credit_hours >= 0", name="hours_not_negative"),
        Index("ix_badge_status_strand", "status", "strand_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(160))
    kind: Mapped[str] = mapped_column(String(20), default=BadgeKind.PRACTICE)
    summary: Mapped[str] = mapped_column(Text, default="")
    competency: Mapped[str] = mapped_column(Text, default="")
    key_method: Mapped[str] = mapped_column(Text, default="")
    research: Mapped[str] = mapped_column(Text, default="")
    resources: Mapped[str] = mapped_column(Text, default="")
    points: Mapped[int] = mapped_column(default=0)
    credit_hours: Mapped[float] = mapped_column(Numeric(6, 2, asdecimal=False), default=0)
    strand_id: Mapped[int | None] = mapped_column(ForeignKey("strand.id", ondelete="SET NULL"), index=True)
    level: Mapped[int] = mapped_column(default=1)
    estimated_time: Mapped[str] = mapped_column(String(60), default="")
    # Rubric levels, lowest first, and the index of the lowest level that counts as "meets".
    rubric_levels: Mapped[list] = mapped_column(JSON, default=list)
    meets_level: Mapped[int | None]
    # Whether a reviewer may decide "meets" with a criterion below the meets level, giving a written reason
    # (a holistic judgement). Off unless the PD office allows it for this badge.
    allow_holistic: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(10), default=BadgeStatus.DRAFT)
    version: Mapped[int] = mapped_column(default=1)
    # An uploaded image (its ImageType), stored once by content hash under UPLOAD_PATH/badge-images/.
    image_sha256: Mapped[str | None] = mapped_column(String(64))
    image_type: Mapped[str | None] = mapped_column(String(20))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    published_at: Mapped[datetime | None]
    retired_at: Mapped[datetime | None]

    strand: Mapped[Strand | None] = relationship()
    prompts: Mapped[list[BadgePrompt]] = relationship(
        back_populates="badge", cascade="all, delete-orphan", order_by="BadgePrompt.position")
    criteria: Mapped[list[RubricCriterion]] = relationship(
        back_populates="badge", cascade="all, delete-orphan", order_by="RubricCriterion.position")
    tag_rows: Mapped[list[BadgeTag]] = relationship(
        back_populates="badge", cascade="all, delete-orphan", order_by="BadgeTag.tag")
    prerequisites: Mapped[list[Badge]] = relationship(
        secondary=badge_prerequisite,
        primaryjoin=lambda: Badge.id == badge_prerequisite.c.badge_id,
        secondaryjoin=lambda: Badge.id == badge_prerequisite.c.prerequisite_id,
        order_by=lambda: Badge.title,
    )
    versions: Mapped[list[BadgeVersion]] = relationship(
        back_populates="badge", cascade="all, delete-orphan", order_by="BadgeVersion.number")

    @property
    def tags(self) -> list[str]:
        return [row.tag for row in self.tag_rows]

    @property
    def meets_level_name(self) -> str | None:
        if self.meets_level is None or not (0 <= self.meets_level < len(self.rubric_levels or [])):
            return None
        return self.rubric_levels[self.meets_level]

    def __repr__(self) -> str:
        return f"<Badge {self.slug} v{self.version} {self.status}>"


class BadgePrompt(db.Model):
    """One submission requirement: a written answer, a file or a link."""

    __tablename__ = "badge_prompt"
    __table_args__ = (CheckConstraint(f"kind IN ({in_list(PROMPT_KINDS)})", name="known_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    badge_id: Mapped[int] = mapped_column(ForeignKey("badge.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[str] = mapped_column(String(10), default=PromptKind.TEXT)
    title: Mapped[str] = mapped_column(String(200))
    guidance: Mapped[str] = mapped_column(Text, default="")
    required: Mapped[bool] = mapped_column(Boolean, default=True)

    badge: Mapped[Badge] = relationship(back_populates="prompts")


class RubricCriterion(db.Model):
    """A rubric row: one description per level of the badge's rubric_levels."""

    __tablename__ = "rubric_criterion"

    id: Mapped[int] = mapped_column(primary_key=True)
    badge_id: Mapped[int] = mapped_column(ForeignKey("badge.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(String(200))
    descriptions: Mapped[list] = mapped_column(JSON, default=list)

    badge: Mapped[Badge] = relationship(back_populates="criteria")


class BadgeTag(db.Model):
    __tablename__ = "badge_tag"

    badge_id: Mapped[int] = mapped_column(ForeignKey("badge.id", ondelete="CASCADE"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)

    badge: Mapped[Badge] = relationship(back_populates="tag_rows")


class BadgeVersion(db.Model):
    """A published state of a badge, frozen as its exchange document. Awards point here."""

    __tablename__ = "badge_version"
    __table_args__ = (UniqueConstraint("badge_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    badge_id: Mapped[int] = mapped_column(ForeignKey("badge.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    snapshot: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    badge: Mapped[Badge] = relationship(back_populates="versions")


class Collection(Timestamped, db.Model):
    """A curated list of badges, e.g. this year's pilot."""

    __tablename__ = "badge_collection"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    description: Mapped[str] = mapped_column(Text, default="")

    entries: Mapped[list[CollectionEntry]] = relationship(
        back_populates="collection", cascade="all, delete-orphan", order_by="CollectionEntry.position")

    @property
    def badges(self) -> list[Badge]:
        return [entry.badge for entry in self.entries]


class CollectionEntry(db.Model):
    __tablename__ = "badge_collection_entry"

    collection_id: Mapped[int] = mapped_column(ForeignKey("badge_collection.id", ondelete="CASCADE"),
                                               primary_key=True)
    badge_id: Mapped[int] = mapped_column(ForeignKey("badge.id", ondelete="CASCADE"), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(default=0)

    collection: Mapped[Collection] = relationship(back_populates="entries")
    badge: Mapped[Badge] = relationship()
