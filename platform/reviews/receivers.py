"""What reviews does when a submission changes state, and its answer to "who reviews this?"
(connected in milepost.reviews.init_app)."""
from __future__ import annotations

from milepost.reviews import services


def follow_submission(submission, *, session, action: str, by) -> None:
    """evidence's submission_changed: the review track enters, leaves or skips stages with the submission."""
    services.follow_transition(session, submission, action, by)


def is_reviewer(submission, *, user) -> bool:
    """evidence's reviewer_asked: eligible for the current stage, or reviewed the submission at an earlier one."""
    return services.took_part_or_eligible(user, submission)
