"""How reviews plug into the rest: who counts as a submission's reviewer, the evidence state machine,
the teacher's feedback on the submission page, the home page and the `milepost send-reminders` command."""
from __future__ import annotations

from flask import Flask, url_for
from sqlalchemy import event
from sqlalchemy.orm import Session

from milepost.evidence import services as evidence
from milepost.extensions import db
from milepost.reviews import access, services


def _once(registry: list, fn) -> None:
    if fn not in registry:
        registry.append(fn)


def register(app: Flask) -> None:
    from milepost.reviews import cli

    _once(evidence.reviewer_checks, services.took_part_or_eligible)
    _once(evidence.after_transition, services.after_transition)
    # Eligibility answers are kept for the length of a read; any write or new transaction forgets them.
    for name in ("after_flush", "after_commit", "after_rollback", "after_soft_rollback"):
        if not event.contains(Session, name, services.clear_cache):
            event.listen(Session, name, services.clear_cache)
    app.jinja_env.globals["review_feedback_for"] = review_feedback_for
    cli.register(app)


def home_cards(user) -> list[dict]:
    cards = []
    if access.may_review(user):
        cards.append({"title": "Reviews", "text": "Colleagues' evidence waiting for your feedback or decision, "
                                                   "oldest first, and exemplars to calibrate against.",
                      "url": url_for("reviews.queue")})
    if user.has_role("pd_admin"):
        cards.append({"title": "Review chains and quality", "text": "Chains, stuck items, assignment, turnaround "
                                                                     "and agreement between reviewers.",
                      "url": url_for("reviews.overview")})
    return cards


def review_feedback_for(submission):
    """For the submission page: the structured feedback of the latest decided attempt, or None."""
    decided = [a for a in submission.attempts if a.outcome in ("returned", "awarded")]
    if not decided:
        return None
    attempt = decided[-1]
    reviews = services.teacher_feedback(db.session, submission, attempt.number)
    if not reviews:
        return None
    return {"attempt": attempt, "reviews": reviews, "rubric": services.rubric(submission),
            "show_names": services.show_names()}
