"""Who may see or do what with reviews. Views and the JSON route ask here; the rule itself is the
SQL eligibility in services (the same one evidence pages and downloads use through is_reviewer)."""
from __future__ import annotations

from milepost.extensions import db
from milepost.reviews import services


def may_review(user) -> bool:
    """Sees the queue and the exemplars: coaches, the PD office and teachers in a PLC (once per request)."""
    from flask import g, has_request_context
    from sqlalchemy.exc import SQLAlchemyError

    if not has_request_context():
        return services.may_review_anything(db.session, user)
    key = ("milepost_may_review", getattr(user, "id", None))
    if getattr(g, "milepost_may_review", (None,))[0] != key:
        try:
            g.milepost_may_review = (key, services.may_review_anything(db.session, user))
        except SQLAlchemyError:  # the navigation must never break an error page
            db.session.rollback()
            return False
    return g.milepost_may_review[1]


def can_see(user, submission) -> bool:
    """Eligible for its current stage, or reviewed it at an earlier one."""
    if user is None or not getattr(user, "is_authenticated", False) or user.id == submission.user_id:
        return False
    return services.took_part_or_eligible(user, submission)


def can_open(user, submission) -> bool:
    """The review page: its reviewers, and the PD office (who oversee every chain, as on the evidence pages;
    items showing students stay hidden from them unless they are a reviewer)."""
    if can_see(user, submission):
        return True
    return user.has_role("pd_admin") and submission.submitted_at is not None and user.id != submission.user_id


def can_score(user, submission) -> bool:
    return services.eligible_for_page(db.session, user, submission)


def can_assign(user, submission) -> bool:
    if user.has_role("pd_admin"):
        return submission.state in services.OPEN
    return user.has_role("coach") and can_see(user, submission)


def can_oversee(user) -> bool:
    return user.has_role("pd_admin")
