"""What the teacher reads: the rubric their evidence is judged against, the submitted reviews of an attempt
(never the reviewers' private notes) and the feedback composed for a decision."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from milepost.reviews.models import Decision, Review, ReviewStatus
from milepost.reviews.services.chains import setting

# How a decision reads in the feedback the teacher gets (passing on says nothing of its own).
DECISION_WORDS = {Decision.MEETS: "meets", Decision.NOT_YET: "not yet", Decision.INCOMPLETE: "something is missing",
                  Decision.PASS: "", Decision.COMPLETE: "complete"}


def rubric(submission) -> dict:
    snapshot = submission.badge_version.snapshot or {}
    data = snapshot.get("rubric") or {}
    return {"levels": list(data.get("levels") or []), "meets_level": data.get("meets_level"),
            "criteria": list(data.get("criteria") or []), "allow_holistic": bool(data.get("allow_holistic"))}


def show_names() -> bool:
    return not setting("REVIEW_ANONYMOUS")


def teacher_feedback(session, submission, attempt_number: int) -> list[Review]:
    """Submitted reviews of one attempt, chain order (private notes are never shown to the teacher)."""
    return session.scalars(select(Review).where(
        Review.submission_id == submission.id, Review.attempt_number == attempt_number,
        Review.status == ReviewStatus.SUBMITTED).options(selectinload(Review.reviewer))
        .order_by(Review.position, Review.submitted_at, Review.id)).all()


def compose_feedback(session, submission) -> str:
    """All the teacher-visible feedback of the current attempt, as Markdown for the decision.

    The deciding stage comes first: the teacher reads why the work came back (or was awarded) before what
    earlier stages said, and a short excerpt of it (the dashboard's card) quotes the decision."""
    data = rubric(submission)
    levels = data["levels"]
    parts = []
    for review in reversed(teacher_feedback(session, submission, submission.attempt_number)):
        who = f" ({review.reviewer.display_name})" if show_names() else ""
        decision = DECISION_WORDS.get(review.decision, "")
        parts.append(f"**{review.label}{who}{': ' + decision if decision else ''}**")
        if review.feedback:
            parts.append(review.feedback)
        lines = []
        for s in review.scores:
            bits = []
            if s.level is not None and s.level < len(levels):
                bits.append(levels[s.level])
            if s.glow:
                bits.append(f"Glow: {s.glow}")
            if s.grow:
                bits.append(f"Grow: {s.grow}")
            if s.comment:
                bits.append(s.comment)
            if bits:
                lines.append(f"- **{s.criterion}**: " + " · ".join(b.replace("\n", " ") for b in bits))
        if lines:
            parts.append("\n".join(lines))
    return "\n\n".join(parts)


