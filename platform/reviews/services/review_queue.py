"""The queue: what a person may review now, oldest first, read along the waiting index; the PD office's
overview of everything in a chain; and tracks for submissions sent before reviews existed."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import aliased

from milepost.accounts.models import PLCMembership, User
from milepost.core.model import utcnow
from milepost.evidence.models import Submission
from milepost.reviews.models import STAGE_KINDS, Review, ReviewClaim, ReviewStage, ReviewStatus, ReviewTrack, StageKind
from milepost.reviews.services.chains import OPEN, setting
from milepost.reviews.services.eligibility import _at_stage, _eligible_clause
from milepost.reviews.services.track import track_of


@dataclass
class QueueFilters:
    badge_id: int | None = None
    school_id: int | None = None
    stage: str | None = None
    waiting_days: int | None = None


@dataclass
class QueueRow:
    submission: Submission
    track: ReviewTrack
    stage: ReviewStage
    claims: list[ReviewClaim]
    done: int

    @property
    def waiting(self) -> timedelta:
        return utcnow() - self.track.entered_at

    @property
    def since_sent(self) -> timedelta:
        """Since the teacher sent this attempt: what the district's turnaround target counts."""
        return utcnow() - (self.submission.submitted_at or self.track.entered_at)

    @property
    def late(self) -> bool:
        """Past the district's turnaround target (REVIEW_TURNAROUND_DAYS from sending to a decision)."""
        return self.since_sent > timedelta(days=float(setting("REVIEW_TURNAROUND_DAYS")))

    @property
    def taken(self) -> bool:
        return len(self.claims) + self.done >= self.stage.required_reviews

    def mine(self, user) -> bool:
        return any(c.user_id == user.id for c in self.claims)


def queue(session, user, filters: QueueFilters | None = None, *, limit: int = 500,
          after: int | None = None) -> list[QueueRow]:
    """What this person may review now, oldest first; `after` a submission id continues from it (keyset
    pagination). A fixed number of queries whatever its length, and, through the waiting index, work
    proportional to the rows shown rather than to everything open in the district."""
    filters = filters or QueueFilters()
    kinds = [k for k in STAGE_KINDS if k in _kinds_for(user)]
    if filters.stage:
        kinds = [k for k in kinds if k == filters.stage]
    keys = []
    for kind in kinds:
        query = _waiting(kind, filters, after).where(_eligible_clause(user.id))
        if kind == StageKind.PEER:
            # Only colleagues in one of the reviewer's PLCs can be peer-reviewed by them: start from those.
            mine, theirs = aliased(PLCMembership), aliased(PLCMembership)
            query = query.where(Submission.user_id.in_(
                select(theirs.user_id).join(mine, mine.plc_id == theirs.plc_id).where(mine.user_id == user.id)))
        keys += session.execute(query.limit(limit)).all()
    return _load_rows(session, sorted(keys)[:limit])


SORTS = ("stage", "sent")  # longest at its stage (the index order, paged), or longest since sent


def by_time_since_sent(rows: list[QueueRow]) -> list[QueueRow]:
    """The rows with the longest since sent first (late work leads), ties by time at the stage."""
    return sorted(rows, key=lambda r: (r.submission.submitted_at or r.track.entered_at, r.track.entered_at,
                                       r.submission.id))


def _kinds_for(user) -> set[str]:
    """The stage kinds a person could ever take, from their roles (the rule itself decides each item)."""
    kinds = {StageKind.PEER}  # anyone in a PLC; the query starts from the PLC's members
    if user.has_role("coach"):
        kinds.add(StageKind.COACH)
    if user.has_role("pd_admin"):
        kinds |= {StageKind.DISTRICT, StageKind.COMPLETENESS}
    return kinds


def _waiting(kind: str, filters: QueueFilters, after: int | None):
    """(entered_at, submission id) of the open submissions waiting at a stage of `kind`, oldest first,
    read along ix_review_track_waiting."""
    T = ReviewTrack
    query = (_at_stage(select(T.entered_at, T.submission_id).select_from(Submission))
             .where(T.waiting_kind == kind, Submission.state.in_(OPEN)))
    if after is not None:
        cursor = aliased(ReviewTrack)
        mark = select(cursor.entered_at).where(cursor.submission_id == after).scalar_subquery()
        query = query.where(or_(T.entered_at > mark, and_(T.entered_at == mark, T.submission_id > after)))
    if filters.badge_id:
        query = query.where(Submission.badge_id == filters.badge_id)
    if filters.school_id:
        query = query.where(Submission.user_id.in_(select(User.id).where(User.school_id == filters.school_id)))
    if filters.waiting_days:
        query = query.where(T.entered_at <= utcnow() - timedelta(days=filters.waiting_days))
    return query.order_by(T.entered_at, T.submission_id)


def _load_rows(session, keys) -> list[QueueRow]:
    """The submissions of the chosen keys with what the queue shows, in one query (the earners' roles are
    not needed), then their claims and counts."""
    from sqlalchemy.orm import joinedload, lazyload

    ids = [sid for _at, sid in keys]
    loaded = session.execute(
        _at_stage(select(Submission, ReviewTrack, ReviewStage)).where(Submission.id.in_(ids))
        .options(joinedload(Submission.badge),
                 joinedload(Submission.user).options(joinedload(User.school), lazyload(User.role_rows)))).all()
    by_id = {row[0].id: tuple(row) for row in loaded}
    return _with_claims(session, [by_id[sid] for sid in ids if sid in by_id])


def _with_claims(session, rows) -> list[QueueRow]:
    from sqlalchemy.orm import joinedload, lazyload

    ids = [s.id for s, _t, _g in rows]
    claims, done = defaultdict(list), defaultdict(int)
    # Run even when empty, so a page's query count does not depend on what it shows.
    for c in session.scalars(select(ReviewClaim).where(ReviewClaim.submission_id.in_(ids),
                                                       ReviewClaim.expires_at > utcnow())
                             .options(joinedload(ReviewClaim.user).options(lazyload(User.role_rows)))
                             .order_by(ReviewClaim.claimed_at)):
        claims[(c.submission_id, c.attempt_number, c.position)].append(c)
    for sid, attempt, position, count in session.execute(
            select(Review.submission_id, Review.attempt_number, Review.position, func.count())
            .where(Review.submission_id.in_(ids), Review.status == ReviewStatus.SUBMITTED)
            .group_by(Review.submission_id, Review.attempt_number, Review.position)):
        done[(sid, attempt, position)] = count
    return [QueueRow(s, t, g, claims[(s.id, s.attempt_number, s.stage)], done[(s.id, s.attempt_number, s.stage)])
            for s, t, g in rows]


def overview(session, filters: QueueFilters | None = None, *, limit: int = 500) -> list[QueueRow]:
    """For the PD office: everything in a chain now, oldest first (one index walk per stage kind)."""
    filters = filters or QueueFilters()
    kinds = [filters.stage] if filters.stage else list(STAGE_KINDS)
    keys = []
    for kind in kinds:
        keys += session.execute(_waiting(kind, filters, None).limit(limit)).all()
    return _load_rows(session, sorted(keys)[:limit])


def ensure_tracks(session) -> int:
    """Submissions sent before this feature existed (or while it was off) join their chain at their stage (the
    first, or the last of a shorter chain)."""
    missing = session.scalars(select(Submission).where(
        Submission.state.in_(OPEN), ~exists().where(ReviewTrack.submission_id == Submission.id))).all()
    for submission in missing:
        track_of(session, submission)
    return len(missing)


