"""A submission's way through its chain: entering, skipping and leaving stages (the time spent in each),
review events, telling the reviewers who may take a stage now, and following the evidence state machine;
and the submission a review page is about."""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select

from milepost.core import audit
from milepost.core.errors import NotFound
from milepost.core.model import utcnow
from milepost.evidence import services as evidence
from milepost.evidence.models import Submission, SubmissionState
from milepost.reviews.models import (
    EventAction,
    Review,
    ReviewChain,
    ReviewClaim,
    ReviewEvent,
    ReviewTrack,
    StageVisit,
    VisitOutcome,
)
from milepost.reviews.services.chains import OPEN, chain_for
from milepost.reviews.services.eligibility import clear_cache, eligible_reviewers


def _new_ref(session) -> str:
    while True:
        ref = "S-" + "".join(secrets.choice("23456789ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(6))
        if session.scalar(select(ReviewTrack.submission_id).where(ReviewTrack.ref == ref)) is None:
            return ref


def track_of(session, submission, *, lock: bool = False) -> ReviewTrack:
    """The submission's way through its chain (made, at its stage or the first, if it was sent before reviews
    existed)."""
    from sqlalchemy.orm import joinedload

    query = select(ReviewTrack).where(ReviewTrack.submission_id == submission.id)
    if lock:
        # Serialises the people acting on one submission (a row lock on PostgreSQL, the write lock on SQLite).
        query = query.with_for_update().execution_options(populate_existing=True)
    else:
        # The chain and its stages in the same query: every page reads the stage the submission is at.
        query = query.options(joinedload(ReviewTrack.chain).joinedload(ReviewChain.stages))
    track = session.scalars(query).unique().first()
    if track is None:
        chain = chain_for(session, submission.badge)
        evidence.place_at_stage(session, submission, min(submission.stage or 1, len(chain.stages)))
        track = ReviewTrack(submission_id=submission.id, chain=chain, entered_at=utcnow(), ref=_new_ref(session))
        session.add(track)
        _open_visit(session, submission, track)
        session.flush()
    return track


def _open_visit(session, submission, track) -> None:
    stage = track.chain.stage_at(submission.stage)
    session.add(StageVisit(submission_id=submission.id, attempt_number=submission.attempt_number,
                           position=submission.stage, kind=stage.kind, entered_at=track.entered_at))
    sync_waiting(submission, track)


def sync_waiting(submission, track) -> None:
    """The track's waiting kind: its stage's kind while the submission is open, else none. Called wherever
    the state, the stage or the chain changes, so the queue's index always agrees with the rule."""
    stage = track.chain.stage_at(submission.stage) if submission.state in OPEN else None
    track.waiting_kind = stage.kind if stage is not None else None


def _close_visit(session, submission, outcome: str, at: datetime) -> None:
    for visit in session.scalars(select(StageVisit).where(StageVisit.submission_id == submission.id,
                                                          StageVisit.left_at.is_(None))):
        visit.left_at, visit.outcome = at, outcome


def _event(session, submission, action: str, *, by=None, position=None, note: str = "") -> None:
    session.add(ReviewEvent(submission_id=submission.id, actor_id=getattr(by, "id", None), action=action,
                            position=position, note=note))


def _drop_claims(session, submission) -> None:
    session.execute(delete(ReviewClaim).where(ReviewClaim.submission_id == submission.id))


def _enter(session, submission, track, *, outcome: str, now: datetime | None = None) -> None:
    """Start the time at the stage the submission was just moved to, closing the time spent in the last one."""
    now = now or utcnow()
    _close_visit(session, submission, outcome, now)
    _drop_claims(session, submission)
    track.entered_at = now
    _open_visit(session, submission, track)
    session.flush()
    clear_cache(session)
    apply_skips(session, submission, track, now=now)
    announce(session, submission, track)


def announce(session, submission, track) -> None:
    """Tell the people who may review the submission's stage now that it is waiting (digest by default)."""
    from milepost.notifications.services import notify_review_waiting

    if submission.state not in OPEN:
        return
    stage = track.chain.stage_at(submission.stage)
    notify_review_waiting(session, eligible_reviewers(session, submission), submission,
                          stage_label=getattr(stage, "label", ""))


def apply_skips(session, submission, track, *, now: datetime | None = None) -> int:
    """Skip stages nobody eligible could take for their stage's number of days (never the last stage)."""
    now = now or utcnow()
    skipped = 0
    while True:
        stage = track.chain.stage_at(submission.stage)
        last = submission.stage >= len(track.chain.stages)
        if stage is None or last or stage.skip_after_days is None:
            return skipped
        if now - track.entered_at < timedelta(days=stage.skip_after_days):
            return skipped
        started = session.scalar(select(func.count()).select_from(Review).where(
            Review.submission_id == submission.id, Review.attempt_number == submission.attempt_number,
            Review.position == submission.stage))
        if started or eligible_reviewers(session, submission):
            return skipped
        _event(session, submission, EventAction.SKIP_STAGE, position=submission.stage,
               note=f"{stage.label} skipped: nobody eligible to review it"
                    + (f" for {stage.skip_after_days} days." if stage.skip_after_days else "."))
        audit.record(session, "review.stage_skipped", target=submission, position=submission.stage, kind=stage.kind)
        _close_visit(session, submission, VisitOutcome.SKIPPED, now)
        evidence.place_at_stage(session, submission, submission.stage + 1)
        track.entered_at = now
        _open_visit(session, submission, track)
        session.flush()
        clear_cache(session)
        skipped += 1


def _begin_review(session, submission, by) -> None:
    """The submission is "in review" once someone works on it, at the stage it waits at."""
    if submission.state == SubmissionState.SUBMITTED:
        evidence.transition(session, submission, "begin_review", by=by, stage=submission.stage)


def follow_transition(session, submission, action: str, by) -> None:
    """Keeps each submission's track in step with the evidence state machine (submit puts it at stage 1)."""
    clear_cache(session)
    now = utcnow()
    if action == "submit":
        chain = chain_for(session, submission.badge)
        track = session.get(ReviewTrack, submission.id)
        _close_visit(session, submission, VisitOutcome.WITHDRAWN, now)
        if track is None:
            track = ReviewTrack(submission_id=submission.id, chain=chain, entered_at=now, ref=_new_ref(session))
            session.add(track)
        else:
            track.chain, track.entered_at, track.returned_from = chain, now, None
        _open_visit(session, submission, track)
        session.flush()
        apply_skips(session, submission, track, now=now)
        announce(session, submission, track)
    elif action == "resubmit":
        track = track_of(session, submission)
        position = min(track.returned_from or 1, len(track.chain.stages))
        evidence.place_at_stage(session, submission, position)
        _close_visit(session, submission, VisitOutcome.RETURNED, now)
        track.entered_at = now
        _open_visit(session, submission, track)
        _event(session, submission, EventAction.BACK_TO_STAGE, position=position,
               note=f"Resubmitted: back to {track.chain.stage_at(position).label}, the stage that returned it.")
        session.flush()
        announce(session, submission, track)
    elif action == "return":
        track = session.get(ReviewTrack, submission.id)
        if track is not None:
            track.returned_from = submission.stage
        _close_visit(session, submission, VisitOutcome.RETURNED, now)
        _drop_claims(session, submission)
    elif action in ("award", "withdraw"):
        _close_visit(session, submission, VisitOutcome.AWARDED if action == "award" else VisitOutcome.WITHDRAWN, now)
        _drop_claims(session, submission)
    track = session.get(ReviewTrack, submission.id)
    if track is not None:
        sync_waiting(submission, track)


def events_of(session, submission) -> list[ReviewEvent]:
    """What happened around the submission's chain (claims, assignments, skips), oldest first."""
    return session.scalars(select(ReviewEvent).where(ReviewEvent.submission_id == submission.id)
                           .order_by(ReviewEvent.id)).all()


def submission_or_404(session, submission_id: int) -> Submission:
    submission = evidence.load_submission(session, submission_id)
    if submission is None:
        raise NotFound("We could not find that submission.")
    return submission

