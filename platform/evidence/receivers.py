"""Evidence's answer to the catalogue's question about progress (connected in milepost.evidence.init_app)."""
from __future__ import annotations

from sqlalchemy import select

from milepost.evidence.models import Submission, SubmissionState


def badges_under_way(user, *, session) -> tuple[set[int], set[int]]:
    """badges' progress_asked: the badges this person has started and not finished (what is earned comes
    from the awards)."""
    finished = (SubmissionState.WITHDRAWN, SubmissionState.AWARDED)
    ids = session.scalars(select(Submission.badge_id).where(
        Submission.user_id == user.id, Submission.state.not_in(finished))).all()
    return set(ids), set()
