"""What awards does when other features' things happen, and its answers to the catalogue's questions
(connected in milepost.awards.init_app)."""
from __future__ import annotations

from sqlalchemy import select

from milepost.awards import services
from milepost.awards.models import Award


def issue_on_meets(submission, *, session, action: str, by) -> None:
    """evidence's submission_changed: a submission decided "meets" becomes an award in the same transaction."""
    if action == "award":
        services.issue_award(session, user_id=submission.user_id, badge=submission.badge,
                             version=submission.badge_version, by=by, submission=submission)


def earned_badges(user, *, session) -> tuple[set[int], set[int]]:
    """badges' progress_asked: (nothing in progress, the badges this person holds now)."""
    ids = session.scalars(select(Award.badge_id).where(Award.user_id == user.id, services.active_filter())).all()
    return set(), set(ids)


def earner_counts(_sender, *, session, badge_ids) -> dict[int, int]:
    """badges' earner_counts_asked."""
    return services.earner_counts(session, badge_ids)


def go_to_people(_sender, *, session, badge_id: int, limit: int) -> list:
    """badges' go_to_people_asked."""
    return services.go_to_people(session, badge_id, limit)
