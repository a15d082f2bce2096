"""Review chains and their stages, each submission's track through its chain, claims, reviews with
per-criterion scores, time spent in each stage, calibration anchors and the reminders sent; the closed sets
of values their columns store, as StrEnums."""
from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from milepost.core.model import Timestamped, in_list, utcnow
from milepost.extensions import db


class StageKind(StrEnum):
    """The kinds of stage a chain is made of (a completeness check can only come first)."""

    COMPLETENESS = "completeness"
    PEER = "peer"
    COACH = "coach"
    DISTRICT = "district"


class ReviewStatus(StrEnum):
    """A review is a draft until its reviewer submits it; then it is final and counts for its stage."""

    DRAFT = "draft"
    SUBMITTED = "submitted"


class Decision(StrEnum):
    """What a reviewer decides at a stage (DECISIONS says which kinds of stage may decide what)."""

    COMPLETE = "complete"
    INCOMPLETE = "incomplete"
    PASS = "pass"
    MEETS = "meets"
    NOT_YET = "not_yet"
    PASS_BACK = "pass_back"


class VisitOutcome(StrEnum):
    """How a submission left a stage (StageVisit.outcome)."""

    ADVANCED = "advanced"
    RETURNED = "returned"
    AWARDED = "awarded"
    SKIPPED = "skipped"
    PASSED_BACK = "passed_back"
    WITHDRAWN = "withdrawn"


class EventAction(StrEnum):
    """What happened around the chain (ReviewEvent.action)."""

    CLAIM = "claim"
    RELEASE = "release"
    ASSIGN = "assign"
    UNASSIGNED = "unassigned"
    CLAIM_EXPIRED = "claim_expired"
    SKIP_STAGE = "skip_stage"
    PASS_BACK = "pass_back"
    BACK_TO_STAGE = "back_to_stage"


class ReminderKind(StrEnum):
    """Whom a reminder went to (ReminderSent.kind): a reviewer with waiting work, or the PD office about stuck work."""

    REVIEWER = "reviewer"
    STUCK = "stuck"


STAGE_KINDS = tuple(StageKind)
STAGE_LABELS = {
    StageKind.COMPLETENESS: "Completeness check",
    StageKind.PEER: "Peer feedback",
    StageKind.COACH: "Coach review",
    StageKind.DISTRICT: "District approval",
}
# What each stage kind may decide. Peers pass work forward; they cannot fail it.
DECISIONS = {
    StageKind.COMPLETENESS: (Decision.COMPLETE, Decision.INCOMPLETE),
    StageKind.PEER: (Decision.PASS,),
    StageKind.COACH: (Decision.MEETS, Decision.NOT_YET),
    StageKind.DISTRICT: (Decision.MEETS, Decision.NOT_YET, Decision.PASS_BACK),
}
DECISION_LABELS = {Decision.COMPLETE: "Complete: pass on for review",
                   Decision.INCOMPLETE: "Something is missing: return",
                   Decision.PASS: "Pass on with my feedback", Decision.MEETS: "Meets", Decision.NOT_YET: "Not yet",
                   Decision.PASS_BACK: "Pass back to the previous stage"}
REVIEW_STATUSES = tuple(ReviewStatus)


class ReviewChain(Timestamped, db.Model):
    """Ordered stages. scope is "default", "outside_learning" (defaults) or "badge:<id>"."""

    __tablename__ = "review_chain"

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(40), unique=True)
    badge_id: Mapped[int | None] = mapped_column(ForeignKey("badge.id", ondelete="CASCADE"), unique=True)
    name: Mapped[str] = mapped_column(String(160))

    stages: Mapped[list[ReviewStage]] = relationship(back_populates="chain", cascade="all, delete-orphan",
                                                     order_by="ReviewStage.position", lazy="selectin")
    badge: Mapped[Badge | None] = relationship()  # noqa: F821

    def stage_at(self, position: int) -> ReviewStage | None:
        return next((s for s in self.stages if s.position == position), None)


class ReviewStage(db.Model):
    __tablename__ = "review_stage"
    __table_args__ = (
        UniqueConstraint("chain_id", "position"),
        CheckConstraint(f"kind IN ({in_list(k.value for k in StageKind)})", name="known_kind"),
        CheckConstraint("required_reviews BETWEEN 1 AND 5", name="required_range"),
        CheckConstraint("skip_after_days IS NULL OR skip_after_days >= 0", name="skip_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    chain_id: Mapped[int] = mapped_column(ForeignKey("review_chain.id", ondelete="CASCADE"))
    position: Mapped[int]  # from 1: a submission at this stage has this Submission.stage
    kind: Mapped[str] = mapped_column(String(12))  # a StageKind
    required_reviews: Mapped[int] = mapped_column(default=1)
    # Skip the stage when nobody eligible exists for this many days (None: never; 0: at once).
    skip_after_days: Mapped[int | None]

    chain: Mapped[ReviewChain] = relationship(back_populates="stages")

    @property
    def label(self) -> str:
        return STAGE_LABELS[self.kind]


class ReviewTrack(db.Model):
    """One submission's way through its chain: which chain (fixed when the submission is sent), since when it
    waits at its stage, and where a resubmission goes back to. The stage itself is Submission.stage."""

    __tablename__ = "review_track"
    __table_args__ = (
        # Saving or removing a chain finds its tracks (and the foreign key's RESTRICT check too).
        Index("ix_review_track_chain", "chain_id"),
        # The queue and the overview walk this in waiting order, open submissions only.
        Index("ix_review_track_waiting", "waiting_kind", "entered_at", "submission_id"),
    )

    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id", ondelete="CASCADE"), primary_key=True)
    chain_id: Mapped[int] = mapped_column(ForeignKey("review_chain.id", ondelete="RESTRICT"))
    # No position of its own: the stage the submission waits at is Submission.stage (evidence), which the
    # state machine and the state label read there. Evidence may not import reviews, while reviews may read
    # evidence, so the one copy lives below; the chain's SQL joins review_stage on submission.stage.
    entered_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The stage that said "not yet": the resubmission goes back there.
    returned_from: Mapped[int | None]
    # The anonymised number reviewers see when the district hides names.
    ref: Mapped[str] = mapped_column(String(12), unique=True)
    # The kind of the stage the submission waits at while it is open (submitted or in review), else
    # NULL: set by reviews.services.sync_waiting wherever the state, the stage or the chain changes.
    waiting_kind: Mapped[str | None] = mapped_column(String(12))  # a StageKind

    submission: Mapped[Submission] = relationship()  # noqa: F821
    chain: Mapped[ReviewChain] = relationship()

    @property
    def position(self) -> int:
        """The stage the submission is at (its Submission.stage), read from the submission."""
        return self.submission.stage

    @property
    def stage(self) -> ReviewStage | None:
        return self.chain.stage_at(self.position)


class StageVisit(db.Model):
    """Time spent in one stage: turnaround reports and reminders read these."""

    __tablename__ = "review_stage_visit"
    __table_args__ = (
        Index("ix_review_stage_visit_open", "submission_id", "left_at"),
        # Reports: what waits now (left_at NULL) and what left a stage in a period, with its times.
        Index("ix_review_stage_visit_left_at", "left_at", "kind", "outcome", "entered_at", "submission_id"),
        # Reports: the work waiting at each kind of stage in the order it arrived, so the longest, median and
        # 90th-percentile waits are read by position in the index instead of by sorting every open visit.
        Index("ix_review_stage_visit_waiting", "left_at", "kind", "entered_at", "submission_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id", ondelete="CASCADE"))
    attempt_number: Mapped[int]
    position: Mapped[int]
    kind: Mapped[str] = mapped_column(String(12))  # a StageKind
    entered_at: Mapped[datetime] = mapped_column(default=utcnow)
    left_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(12))  # a VisitOutcome


class ReviewClaim(db.Model):
    """Someone working on a stage of a submission; others see it taken until it expires."""

    __tablename__ = "review_claim"
    __table_args__ = (UniqueConstraint("submission_id", "attempt_number", "position", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id", ondelete="CASCADE"), index=True)
    attempt_number: Mapped[int]
    position: Mapped[int]
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    claimed_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])  # noqa: F821


class Review(db.Model):
    """One reviewer's work on one stage of one attempt: a draft until submitted, then final."""

    __tablename__ = "review"
    __table_args__ = (
        UniqueConstraint("submission_id", "attempt_number", "position", "reviewer_id"),
        CheckConstraint(f"status IN ({in_list(s.value for s in ReviewStatus)})", name="known_status"),
        Index("ix_review_reviewer_status", "reviewer_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id", ondelete="CASCADE"), index=True)
    attempt_number: Mapped[int]
    position: Mapped[int]
    stage_kind: Mapped[str] = mapped_column(String(12))  # a StageKind
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(10), default=ReviewStatus.DRAFT.value)
    decision: Mapped[str | None] = mapped_column(String(12))  # a Decision
    feedback: Mapped[str] = mapped_column(Text, default="")      # for the teacher
    private_note: Mapped[str] = mapped_column(Text, default="")  # for the next stage only
    # Why "meets" although a criterion is below the meets level (only where the badge allows a holistic
    # judgement); empty when every criterion was at or above it. The credential says which.
    holistic_reason: Mapped[str] = mapped_column(Text, default="")
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]

    reviewer: Mapped[User] = relationship()  # noqa: F821
    scores: Mapped[list[ReviewScore]] = relationship(back_populates="review", cascade="all, delete-orphan",
                                                     order_by="ReviewScore.criterion_index", lazy="selectin")

    @property
    def label(self) -> str:
        return STAGE_LABELS[self.stage_kind]


class ReviewScore(db.Model):
    """One rubric criterion: a level (coach, district) or glow and grow (peer), and a comment."""

    __tablename__ = "review_score"
    __table_args__ = (UniqueConstraint("review_id", "criterion_index"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id", ondelete="CASCADE"))
    criterion_index: Mapped[int]
    criterion: Mapped[str] = mapped_column(String(200))
    level: Mapped[int | None]  # index into the rubric's levels, lowest first
    glow: Mapped[str] = mapped_column(Text, default="")
    grow: Mapped[str] = mapped_column(Text, default="")
    comment: Mapped[str] = mapped_column(Text, default="")

    review: Mapped[Review] = relationship(back_populates="scores")


class ReviewEvent(db.Model):
    """What happened around the chain that is not a state change: claims, assignments, skips."""

    __tablename__ = "review_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(20))  # an EventAction
    position: Mapped[int | None]
    note: Mapped[str] = mapped_column(Text, default="")


class Anchor(db.Model):
    """An exemplar submission the PD office marked for calibration."""

    __tablename__ = "review_anchor"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id", ondelete="CASCADE"), unique=True)
    attempt_number: Mapped[int]
    note: Mapped[str] = mapped_column(Text, default="")
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    marked_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The scores the PD office agreed for this exemplar: {criterion index (as text): level index}. Coaches
    # calibrate against these; None for an anchor marked before agreed scores were kept (its review's count).
    agreed_levels: Mapped[dict | None] = mapped_column(JSON)

    submission: Mapped[Submission] = relationship()  # noqa: F821


class CalibrationScore(db.Model):
    """One calibration round: a reviewer's blind scores of an exemplar, kept to compare with its agreed ones
    (and, over time, the agreement figures of each reviewer and criterion)."""

    __tablename__ = "review_calibration"
    __table_args__ = (Index("ix_review_calibration_user", "user_id", "scored_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    anchor_id: Mapped[int] = mapped_column(ForeignKey("review_anchor.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    levels: Mapped[dict] = mapped_column(JSON)  # {criterion index (as text): level index}
    scored_at: Mapped[datetime] = mapped_column(default=utcnow)

    anchor: Mapped[Anchor] = relationship()
    user: Mapped[User] = relationship()  # noqa: F821


class DoubleScoring(db.Model):
    """The share of a badge's live submissions the PD office asks a second coach to score blind."""

    __tablename__ = "review_double_scoring"
    __table_args__ = (CheckConstraint("percent BETWEEN 0 AND 100", name="percent_range"),)

    badge_id: Mapped[int] = mapped_column(ForeignKey("badge.id", ondelete="CASCADE"), primary_key=True)
    percent: Mapped[int] = mapped_column(default=0)


class SecondScore(db.Model):
    """A second, blind score of a sampled live attempt, compared with the deciding review's scores."""

    __tablename__ = "review_second_score"
    __table_args__ = (UniqueConstraint("submission_id", "attempt_number", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id", ondelete="CASCADE"), index=True)
    attempt_number: Mapped[int]
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    levels: Mapped[dict] = mapped_column(JSON)  # {criterion index (as text): level index}
    scored_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()  # noqa: F821


class ReminderSent(db.Model):
    """One reminder per person, kind and day: running send-reminders twice sends nothing new."""

    __tablename__ = "review_reminder"
    __table_args__ = (UniqueConstraint("user_id", "kind", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(12))  # a ReminderKind
    day: Mapped[date] = mapped_column(Date)
    items: Mapped[int] = mapped_column(default=0)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
