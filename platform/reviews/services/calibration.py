"""Calibration and quality: anchor submissions the PD office marks for reviewers to compare against, how
often reviewers agree, each reviewer's figures and the time spent in each kind of stage."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from milepost.accounts.models import User
from milepost.core import audit
from milepost.core.errors import InvalidTransition, NotAllowed
from milepost.evidence.models import AttemptOutcome, Submission
from milepost.reviews import access
from milepost.reviews.models import (
    STAGE_KINDS,
    STAGE_LABELS,
    Anchor,
    Decision,
    Review,
    ReviewScore,
    ReviewStatus,
    StageVisit,
)


def anchor_attempt(submission) -> int | None:
    decided = [a.number for a in submission.attempts if a.outcome in (AttemptOutcome.AWARDED, AttemptOutcome.RETURNED)]
    return max(decided) if decided else None


def mark_anchor(session, submission, *, by, note: str = "") -> Anchor:
    if not access.can_oversee(by):
        raise NotAllowed("Only the PD office marks anchor submissions.")
    number = anchor_attempt(submission)
    if number is None:
        raise InvalidTransition("Only a decided submission can be an anchor: reviewers compare it with its scores.")
    anchor = session.scalar(select(Anchor).where(Anchor.submission_id == submission.id))
    if anchor is None:
        anchor = Anchor(submission_id=submission.id, attempt_number=number)
        session.add(anchor)
    anchor.attempt_number, anchor.note, anchor.marked_by_id = number, (note or "").strip()[:2000], by.id
    session.flush()
    audit.record(session, "review.anchor_marked", actor=by, target=submission, attempt=number)
    return anchor


def unmark_anchor(session, anchor: Anchor, *, by) -> None:
    audit.record(session, "review.anchor_removed", actor=by, target=anchor.submission)
    session.delete(anchor)


def anchors(session) -> list[Anchor]:
    return session.scalars(select(Anchor).options(selectinload(Anchor.submission).selectinload(Submission.badge))
                           .order_by(Anchor.marked_at.desc())).all()


@dataclass
class Agreement:
    badge: str
    criterion: str
    pairs: int
    exact: int

    @property
    def percent(self) -> int:
        return round(100 * self.exact / self.pairs) if self.pairs else 0


def agreement(session) -> list[Agreement]:
    """Percent exact agreement per criterion where two reviewers scored the same attempt."""
    from milepost.badges.models import Badge

    rows = session.execute(
        select(Badge.title, Review.submission_id, Review.attempt_number, Review.id, ReviewScore.criterion_index,
               ReviewScore.criterion, ReviewScore.level)
        .join(Review, Review.id == ReviewScore.review_id).join(Submission, Submission.id == Review.submission_id)
        .join(Badge, Badge.id == Submission.badge_id)
        .where(Review.status == ReviewStatus.SUBMITTED, ReviewScore.level.is_not(None))).all()
    levels: dict[tuple, dict[int, int]] = defaultdict(dict)
    names = {}
    for title, sid, attempt, rid, index, name, level in rows:
        levels[(title, sid, attempt, index)][rid] = level
        names[(title, index)] = name
    table: dict[tuple, Agreement] = {}
    for (title, _sid, _attempt, index), by_review in levels.items():
        values = list(by_review.values())
        if len(values) < 2:
            continue
        entry = table.setdefault((title, index), Agreement(title, names[(title, index)], 0, 0))
        for i in range(len(values)):
            for j in range(i + 1, len(values)):
                entry.pairs += 1
                entry.exact += values[i] == values[j]
    return [table[k] for k in sorted(table)]


@dataclass
class ReviewerStats:
    user: User
    reviews: int
    hours: float
    decided: int
    not_yet: int

    @property
    def not_yet_rate(self) -> int | None:
        return round(100 * self.not_yet / self.decided) if self.decided else None


def reviewer_stats(session) -> list[ReviewerStats]:
    rows = session.execute(select(Review.reviewer_id, Review.decision, Review.started_at, Review.submitted_at)
                           .where(Review.status == ReviewStatus.SUBMITTED)).all()
    acc: dict[int, list] = defaultdict(lambda: [0, 0.0, 0, 0])
    for uid, decision, started, submitted in rows:
        a = acc[uid]
        a[0] += 1
        a[1] += max((submitted - started).total_seconds(), 0) / 3600
        if decision in (Decision.MEETS, Decision.NOT_YET):
            a[2] += 1
            a[3] += decision == Decision.NOT_YET
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_(list(acc))))} if acc else {}
    result = [ReviewerStats(users[uid], a[0], round(a[1] / a[0], 1), a[2], a[3]) for uid, a in acc.items()]
    return sorted(result, key=lambda s: s.user.display_name)


def stage_turnaround(session) -> list[tuple[str, int, float]]:
    """(stage label, visits, average days) over the time spent in each kind of stage."""
    rows = session.execute(select(StageVisit.kind, StageVisit.entered_at, StageVisit.left_at)
                           .where(StageVisit.left_at.is_not(None))).all()
    acc: dict[str, list] = defaultdict(lambda: [0, 0.0])
    for kind, entered, left in rows:
        acc[kind][0] += 1
        acc[kind][1] += (left - entered).total_seconds() / 86400
    return [(STAGE_LABELS[k], acc[k][0], round(acc[k][1] / acc[k][0], 1)) for k in STAGE_KINDS if k in acc]
