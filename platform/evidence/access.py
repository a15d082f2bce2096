"""Who may see or act on a submission, each of its items and its chunked uploads: every object rule of
evidence. Views, downloads, JSON routes and the state machine in services all ask here."""
from __future__ import annotations

from milepost.core import signals
from milepost.evidence.models import ChunkedUpload, EvidenceItem, Submission, SubmissionState


def is_earner(user, submission: Submission) -> bool:
    """The teacher working on this badge: the only one who changes its evidence, sends or withdraws it."""
    return user is not None and getattr(user, "id", None) == submission.user_id


def is_reviewer(user, submission: Submission) -> bool:
    """One of the submission's reviewers (never its earner, never before it was first sent). The review
    chain answers through the reviewer_asked signal; without it, coaches and the PD office review everything."""
    if user is None or not getattr(user, "is_authenticated", False) or user.id == submission.user_id:
        return False
    if submission.state == SubmissionState.DRAFT and submission.submitted_at is None:
        return False
    if signals.reviewer_asked.receivers:
        return any(signals.answers(signals.reviewer_asked, submission, user=user))
    return user.has_role("coach", "pd_admin")


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


def can_use_upload(user, upload: ChunkedUpload | None) -> bool:
    """A chunked upload is its uploader's alone (anyone else gets a 404, as if it did not exist)."""
    return upload is not None and user is not None and upload.user_id == getattr(user, "id", None)
