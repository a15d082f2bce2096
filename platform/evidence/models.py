"""Submissions (one teacher, one badge), their attempts, evidence items, files and history."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Boolean, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from milepost.core.model import Timestamped, in_list, utcnow
from milepost.extensions import db


class SubmissionState(StrEnum):
    """Where a submission is in its life; the values are what the state column stores."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    RETURNED = "returned"
    AWARDED = "awarded"
    WITHDRAWN = "withdrawn"


class AttemptOutcome(StrEnum):
    """How one attempt ended (none while it is being worked on or reviewed)."""

    RETURNED = "returned"
    AWARDED = "awarded"
    WITHDRAWN = "withdrawn"


class ItemKind(StrEnum):
    """What an evidence item holds: a written answer, an uploaded file or a link."""

    TEXT = "text"
    FILE = "file"
    LINK = "link"


STATES = tuple(SubmissionState)
STATE_LABELS = {
    SubmissionState.DRAFT: "In progress",
    SubmissionState.SUBMITTED: "Submitted, waiting for review",
    SubmissionState.IN_REVIEW: "In review",
    SubmissionState.RETURNED: "Not yet: revise and resubmit",
    SubmissionState.AWARDED: "Earned",
    SubmissionState.WITHDRAWN: "Withdrawn",
}
ITEM_KINDS = tuple(ItemKind)


class StoredFile(db.Model):
    """A file kept once by content hash, however many items point at it."""

    __tablename__ = "stored_file"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    mime: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Submission(Timestamped, db.Model):
    __tablename__ = "submission"
    __table_args__ = (
        UniqueConstraint("user_id", "badge_id"),
        CheckConstraint(f"state IN ({in_list(s.value for s in SubmissionState)})", name="known_state"),
        Index("ix_submission_state_badge", "state", "badge_id"),
        # Reports: badges started in a period, with whose and which, read from the index alone.
        Index("ix_submission_created_at", "created_at", "user_id", "badge_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    badge_id: Mapped[int] = mapped_column(ForeignKey("badge.id", ondelete="RESTRICT"), index=True)
    # The version the teacher started under: its prompts and rubric stay the ones they answer.
    badge_version_id: Mapped[int] = mapped_column(ForeignKey("badge_version.id", ondelete="RESTRICT"))
    state: Mapped[str] = mapped_column(String(12), default=SubmissionState.DRAFT.value)
    # The review stage the submission is at, counted from 1: 1 when it is first sent, moved by its review chain
    # (advance and send_back here; skips, a resubmission's way back and shortened chains through place_at_stage)
    # and kept after a decision (the stage that decided). It is the only record of the stage, kept here rather
    # than on the review track because evidence sits below reviews: the state machine and state_label read it
    # without asking reviews, and reviews' SQL joins review_stage on it as simply as on a column of its own.
    stage: Mapped[int | None]
    attempt_number: Mapped[int] = mapped_column(default=1)
    submitted_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    # Optimistic lock: two people changing the same submission at once cannot both win.
    lock_version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": lock_version}

    user: Mapped[User] = relationship()  # noqa: F821
    badge: Mapped[Badge] = relationship()  # noqa: F821
    badge_version: Mapped[BadgeVersion] = relationship()  # noqa: F821
    attempts: Mapped[list[Attempt]] = relationship(
        back_populates="submission", cascade="all, delete-orphan", order_by="Attempt.number")
    events: Mapped[list[SubmissionEvent]] = relationship(
        back_populates="submission", cascade="all, delete-orphan", order_by="SubmissionEvent.id")

    @validates("attempts")
    def _copy_teacher_and_badge(self, _key, attempt: Attempt) -> Attempt:
        """An attempt carries its submission's teacher and badge (which never change), so reports count
        evidence per person or badge from the attempt index alone."""
        attempt.user_id, attempt.badge_id = self.user_id, self.badge_id
        return attempt

    @property
    def current_attempt(self) -> Attempt:
        return next(a for a in self.attempts if a.number == self.attempt_number)

    @property
    def state_label(self) -> str:
        if self.state == SubmissionState.IN_REVIEW and self.stage:
            return f"In review (stage {self.stage})"
        return STATE_LABELS[self.state]

    @property
    def prompts(self) -> list[dict]:
        return self.badge_version.snapshot.get("prompts", [])


class Attempt(db.Model):
    """One round of evidence. A returned attempt is frozen; revising starts the next one."""

    __tablename__ = "attempt"
    __table_args__ = (
        UniqueConstraint("submission_id", "number"),
        # Reports: evidence sent in a period and by whom, and decisions made in one with their turnaround,
        # outcome and badge, read from the index alone: neither the rows (which carry the feedback text) nor
        # the submission are visited.
        Index("ix_attempt_submitted_at", "submitted_at", "user_id", "badge_id"),
        Index("ix_attempt_decided_at", "decided_at", "outcome", "submitted_at", "badge_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id", ondelete="CASCADE"))
    # Copies of the submission's teacher and badge, set when the attempt is added to it (see
    # Submission._copy_teacher_and_badge); a submission never changes either.
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    badge_id: Mapped[int] = mapped_column(ForeignKey("badge.id", ondelete="RESTRICT"))
    number: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]
    privacy_confirmed_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(12))  # an AttemptOutcome
    # The decision's feedback the teacher reads (Markdown); reviews add structured feedback.
    feedback: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    submission: Mapped[Submission] = relationship(back_populates="attempts")
    items: Mapped[list[EvidenceItem]] = relationship(
        back_populates="attempt", cascade="all, delete-orphan", order_by="(EvidenceItem.prompt_index, EvidenceItem.id)")

    @property
    def editable(self) -> bool:
        return self.outcome is None and self.submitted_at is None


class EvidenceItem(Timestamped, db.Model):
    """An answer to one prompt: a written answer, an uploaded file or a link."""

    __tablename__ = "evidence_item"
    __table_args__ = (
        CheckConstraint(f"kind IN ({in_list(k.value for k in ItemKind)})", name="known_kind"),
        Index("ix_evidence_item_attempt_prompt", "attempt_id", "prompt_index"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempt.id", ondelete="CASCADE"))
    prompt_index: Mapped[int]
    kind: Mapped[str] = mapped_column(String(8))  # an ItemKind
    text: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str] = mapped_column(String(2000), default="")
    file_sha256: Mapped[str | None] = mapped_column(ForeignKey("stored_file.sha256", ondelete="RESTRICT"), index=True)
    filename: Mapped[str] = mapped_column(String(160), default="")
    # Faces, names or work of students: only the earner and the submission's reviewers see it.
    student_info: Mapped[bool] = mapped_column(Boolean, default=False)

    attempt: Mapped[Attempt] = relationship(back_populates="items")
    file: Mapped[StoredFile | None] = relationship()


class SubmissionEvent(db.Model):
    """The timeline: every state change, who made it and why."""

    __tablename__ = "submission_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id", ondelete="CASCADE"), index=True)
    attempt_number: Mapped[int]
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(20))
    from_state: Mapped[str | None] = mapped_column(String(12))  # a SubmissionState
    to_state: Mapped[str] = mapped_column(String(12))
    note: Mapped[str] = mapped_column(Text, default="")

    submission: Mapped[Submission] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()  # noqa: F821


class ChunkedUpload(db.Model):
    """A large file arriving in pieces; the phone can drop off and resume from `received`."""

    __tablename__ = "chunked_upload"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id", ondelete="CASCADE"))
    prompt_index: Mapped[int]
    filename: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(BigInteger)
    received: Mapped[int] = mapped_column(BigInteger, default=0)
    student_info: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_item_id: Mapped[int | None] = mapped_column(ForeignKey("evidence_item.id", ondelete="SET NULL"))
