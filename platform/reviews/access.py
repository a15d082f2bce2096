"""Who may see or do what with reviews: every object rule of the feature (the review page, scoring, claims,
assignment, anchors). Views, the JSON route and the services ask here; the rule of who may review a
submission at its stage is the SQL eligibility in services.eligibility (the same one evidence pages and
downloads use through is_reviewer)."""
from __future__ import annotations

from milepost.evidence.models import SubmissionState
from milepost.extensions import db
from milepost.reviews.services.chains import OPEN
from milepost.reviews.services.eligibility import (
    eligible_for_page,
    eligible_now,
    may_review_anything,
    took_part_or_eligible,
)


def may_review(user) -> bool:
    """Sees the queue and the exemplars: coaches, the PD office and teachers in a PLC (once per request)."""
    from flask import g, has_request_context
    from sqlalchemy.exc import SQLAlchemyError

    if not has_request_context():
        return may_review_anything(db.session, user)
    key = ("milepost_may_review", getattr(user, "id", None))
    if getattr(g, "milepost_may_review", (None,))[0] != key:
        try:
            g.milepost_may_review = (key, may_review_anything(db.session, user))
        except SQLAlchemyError:  # the navigation must never break an error page
            db.session.rollback()
            return False
    return g.milepost_may_review[1]


def can_see(user, submission) -> bool:
    """Eligible for its current stage, or reviewed it at an earlier one."""
    if user is None or not getattr(user, "is_authenticated", False) or user.id == submission.user_id:
        return False
    return took_part_or_eligible(user, submission)


def can_open(user, submission) -> bool:
    """The review page: its reviewers, and the PD office (who oversee every chain, as on the evidence pages;
    items showing students stay hidden from them unless they are a reviewer)."""
    if can_see(user, submission):
        return True
    return user.has_role("pd_admin") and submission.submitted_at is not None and user.id != submission.user_id


def can_score(user, submission) -> bool:
    """The scoring form on the review page: the submission is open and the person may take its stage (from
    what this request already read)."""
    return submission.state in OPEN and eligible_for_page(db.session, user, submission)


def can_review_now(user, submission, *, session=None) -> bool:
    """May take the submission's stage now: claim it, save or submit a review, or be assigned it (asked
    afresh, never from what a page read)."""
    return eligible_now(session or db.session, user, submission)


def may_assign(user) -> bool:
    """Coaches and the PD office assign reviews."""
    return user.has_role("coach", "pd_admin")


def may_assign_this(user, submission) -> bool:
    """The PD office assigns any submission; a coach only those they can review themselves."""
    return user.has_role("pd_admin") or took_part_or_eligible(user, submission)


def can_assign(user, submission) -> bool:
    """The assignment form on the review page, and the route behind it."""
    if user.has_role("pd_admin"):
        return submission.state in OPEN
    return user.has_role("coach") and can_see(user, submission)


def can_oversee(user) -> bool:
    """The PD office: the overview, chains, quality figures, and marking anchors."""
    return user.has_role("pd_admin")


def can_mark_anchor(user, submission) -> bool:
    """Whether the review page offers to mark (or shows the mark of) an anchor: the PD office, on decided work."""
    return can_oversee(user) and submission.state in (SubmissionState.AWARDED, SubmissionState.RETURNED)


def can_view_anchor_item(user, item) -> bool:
    """Anchors are shown to everyone who reviews, to calibrate against, but never with items showing students."""
    return not item.student_info and may_review(user)
