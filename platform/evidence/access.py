"""Who may see a submission and each of its items. Views, downloads and JSON all ask here."""
from __future__ import annotations

from milepost.evidence.models import EvidenceItem, Submission
from milepost.evidence.services import is_reviewer


def can_view_submission(user, submission: Submission) -> bool:
    """The teacher, the submission's reviewers, and the PD office once it has been submitted."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.id == submission.user_id:
        return True
    if submission.submitted_at is None:
        return False  # a draft that was never submitted is the teacher's own business
    return is_reviewer(user, submission) or user.has_role("pd_admin")


def can_view_item(user, item: EvidenceItem, submission: Submission) -> bool:
    """Items showing students are for the teacher and the submission's reviewers only."""
    if not can_view_submission(user, submission):
        return False
    if item.student_info:
        return user.id == submission.user_id or is_reviewer(user, submission)
    return True


def visible_items(user, submission: Submission, items) -> list[EvidenceItem]:
    return [item for item in items if can_view_item(user, item, submission)]
