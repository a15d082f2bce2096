"""Claims: who is working on a submission's stage (others see it taken until the claim expires), claiming
and releasing it, and assignment by a coach or the PD office."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select

from milepost.accounts.models import User
from milepost.core import audit
from milepost.core.errors import InvalidTransition, NotAllowed, ValidationFailed
from milepost.core.model import utcnow
from milepost.reviews import access
from milepost.reviews.models import EventAction, Review, ReviewClaim, ReviewEvent, ReviewStatus
from milepost.reviews.services.chains import OPEN, setting
from milepost.reviews.services.track import _begin_review, _event, track_of


def active_claims(session, submission, track) -> list[ReviewClaim]:
    """Who holds the stage the submission is at now (the track is the submission's, as the pages have it)."""
    from sqlalchemy.orm import joinedload, lazyload

    return session.scalars(select(ReviewClaim).where(
        ReviewClaim.submission_id == submission.id, ReviewClaim.attempt_number == submission.attempt_number,
        ReviewClaim.position == submission.stage, ReviewClaim.expires_at > utcnow())
        .options(joinedload(ReviewClaim.user).options(lazyload(User.role_rows)))
        .order_by(ReviewClaim.claimed_at)).all()


def _submitted_here(session, submission, track) -> list[Review]:
    """Reviews that count for the stage now: a stage passed back to is reviewed again."""
    return session.scalars(select(Review).where(
        Review.submission_id == submission.id, Review.attempt_number == submission.attempt_number,
        Review.position == submission.stage, Review.status == ReviewStatus.SUBMITTED,
        Review.submitted_at >= track.entered_at).order_by(Review.id)).all()


def _check_open(submission) -> None:
    if submission.state not in OPEN:
        raise InvalidTransition(f"This submission is {submission.state_label.lower()}: there is nothing to review now.")


def _take(session, submission, track, user, *, assigned_by=None, replace: bool = False) -> ReviewClaim:
    """The person's claim on the current stage, made if there is room (or room is made, for assignments)."""
    now = utcnow()
    stage = track.chain.stage_at(submission.stage)
    claims = active_claims(session, submission, track)
    own = next((c for c in claims if c.user_id == user.id), None)
    hours = timedelta(hours=float(setting("REVIEW_CLAIM_HOURS")))
    if own is not None:
        own.expires_at = now + hours
        if assigned_by is not None:
            own.assigned_by_id = assigned_by.id
        return own
    room = stage.required_reviews - len(_submitted_here(session, submission, track))
    others = [c for c in claims if c.user_id != user.id]
    if len(others) >= room:
        if not replace:
            names = ", ".join(c.user.display_name for c in others)
            raise InvalidTransition(f"Someone else is already reviewing this ({names}). "
                                    "It comes back to the queue if their claim expires.")
        for claim in others[:len(others) - room + 1]:
            _event(session, submission, EventAction.UNASSIGNED, by=assigned_by, position=submission.stage,
                   note=f"Claim of {claim.user.display_name} handed over.")
            session.delete(claim)
    session.execute(delete(ReviewClaim).where(
        ReviewClaim.submission_id == submission.id, ReviewClaim.user_id == user.id,
        ReviewClaim.attempt_number == submission.attempt_number, ReviewClaim.position == submission.stage))
    claim = ReviewClaim(submission_id=submission.id, attempt_number=submission.attempt_number,
                        position=submission.stage, user_id=user.id, claimed_at=now, expires_at=now + hours,
                        assigned_by_id=getattr(assigned_by, "id", None))
    session.add(claim)
    session.flush()
    return claim


def claim(session, submission, *, by) -> ReviewClaim:
    track = track_of(session, submission, lock=True)
    session.expire(submission)
    _check_open(submission)
    if not access.can_review_now(by, submission, session=session):
        raise NotAllowed("You are not one of the people who can review this submission at its current stage.")
    result = _take(session, submission, track, by)
    _event(session, submission, EventAction.CLAIM, by=by, position=submission.stage)
    _begin_review(session, submission, by)
    return result


def release(session, submission, *, by) -> None:
    track_of(session, submission, lock=True)  # the lock every action on the submission takes
    count = session.execute(delete(ReviewClaim).where(
        ReviewClaim.submission_id == submission.id, ReviewClaim.user_id == by.id)).rowcount
    if count:
        _event(session, submission, EventAction.RELEASE, by=by, position=submission.stage)


def assign(session, submission, reviewer, *, by) -> ReviewClaim:
    """A coach or the PD office hands the current stage to a named eligible reviewer (taking over a claim if full)."""
    if not access.may_assign(by):
        raise NotAllowed("Only coaches and the PD office assign reviews.")
    track = track_of(session, submission, lock=True)
    session.expire(submission)
    _check_open(submission)
    if not access.may_assign_this(by, submission):
        raise NotAllowed("Coaches assign only submissions they can review themselves.")
    if reviewer is None or not access.can_review_now(reviewer, submission, session=session):
        raise ValidationFailed("That person cannot review this submission at its current stage.")
    result = _take(session, submission, track, reviewer, assigned_by=by, replace=True)
    _event(session, submission, EventAction.ASSIGN, by=by, position=submission.stage,
           note=f"Assigned to {reviewer.display_name}.")
    audit.record(session, "review.assigned", actor=by, target=submission, reviewer_id=reviewer.id,
                 position=submission.stage)
    return result


def expire_claims(session, *, now: datetime | None = None) -> int:
    now = now or utcnow()
    expired = session.scalars(select(ReviewClaim).where(ReviewClaim.expires_at <= now)).all()
    for c in expired:
        session.add(ReviewEvent(submission_id=c.submission_id, action=EventAction.CLAIM_EXPIRED, position=c.position,
                                note=f"Claim of {c.user.display_name} expired."))
        session.delete(c)
    return len(expired)


