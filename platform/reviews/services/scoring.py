"""Scoring: the reviews of a submission, saving and submitting a review against the rubric, and what completes
a stage (the submission moves on, is passed back, returned or awarded)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import delete, select

from milepost.accounts.models import User
from milepost.core import audit
from milepost.core.errors import InvalidTransition, NotAllowed, ValidationFailed
from milepost.core.model import utcnow
from milepost.evidence import services as evidence
from milepost.reviews import access
from milepost.reviews.models import (
    DECISIONS,
    STAGE_LABELS,
    Decision,
    EventAction,
    Review,
    ReviewClaim,
    ReviewScore,
    ReviewStatus,
    StageKind,
    VisitOutcome,
)
from milepost.reviews.services.chains import DECIDING, OPEN, setting
from milepost.reviews.services.claims import _submitted_here, _take
from milepost.reviews.services.decision import MAX_REASON, meets_problems, score_check
from milepost.reviews.services.eligibility import clear_cache
from milepost.reviews.services.feedback import compose_feedback, rubric
from milepost.reviews.services.track import _begin_review, _enter, _event, track_of

MAX_TEXT = 10000


def reviews_of(session, submission) -> list[Review]:
    """Every review of the submission (all attempts and stages) with its scores and reviewer, in one query:
    the review page picks the draft, the other stages' feedback and the notes from these."""
    from sqlalchemy.orm import joinedload, lazyload

    return session.scalars(select(Review).where(Review.submission_id == submission.id)
                           .options(joinedload(Review.scores),
                                    joinedload(Review.reviewer).options(lazyload(User.role_rows)))
                           .order_by(Review.id)).unique().all()


def draft_review(reviews: list[Review], submission, user) -> Review | None:
    """This person's latest review of the current attempt, from the reviews reviews_of read."""
    mine = [r for r in reviews if r.attempt_number == submission.attempt_number and r.reviewer_id == user.id]
    return max(mine, key=lambda r: r.id) if mine else None


def colleagues_reviews(reviews: list[Review], submission, user) -> tuple[list[Review], list[Review]]:
    """From the reviews reviews_of read, what the other reviewers submitted: their feedback on the current
    attempt in chain order (as teacher_feedback gives it), and their private notes of every attempt."""
    submitted = [r for r in reviews if r.status == ReviewStatus.SUBMITTED and r.reviewer_id != user.id]
    feedback = sorted((r for r in submitted if r.attempt_number == submission.attempt_number),
                      key=lambda r: (r.position, r.submitted_at, r.id))
    notes = sorted((r for r in submitted if r.private_note != ""), key=lambda r: (r.attempt_number, r.position, r.id))
    return feedback, notes


@dataclass
class ReviewInput:
    decision: str | None = None
    feedback: str = ""
    private_note: str = ""
    scores: dict[int, dict] = field(default_factory=dict)  # criterion index -> {level, glow, grow, comment}
    holistic_reason: str = ""  # why "meets" although a criterion is below the meets level (where allowed)


class ReviewIncomplete(ValidationFailed):
    """A review that cannot be submitted yet; field_problems say which form field each reason belongs to
    (decision, feedback, private_note, holistic_reason, level-<i>, glow-<i>)."""

    def __init__(self, field_problems: list[tuple[str, str]]):
        problems = [text for _, text in field_problems]
        super().__init__("The review is not complete yet: " + " ".join(problems), problems=problems)
        self.field_problems = field_problems


def save_review(session, submission, data: ReviewInput, *, by, submit: bool) -> Review:
    """Save a draft review, or submit it: then the stage may complete and the submission move on."""
    track = track_of(session, submission, lock=True)
    session.expire(submission)  # what others committed while we waited for the lock
    if submission.state not in OPEN:
        raise InvalidTransition("This submission was decided meanwhile; your review was not needed.")
    clear_cache(session)
    stage = track.chain.stage_at(submission.stage)
    review = session.scalar(select(Review).where(
        Review.submission_id == submission.id, Review.attempt_number == submission.attempt_number,
        Review.position == submission.stage, Review.reviewer_id == by.id))
    if review is not None and review.status == ReviewStatus.SUBMITTED and review.submitted_at >= track.entered_at:
        raise InvalidTransition("You have already submitted your review for this stage.")
    if not access.can_review_now(by, submission, session=session):
        raise NotAllowed("You are not one of the people who can review this submission at its current stage.")
    if review is not None and review.status == ReviewStatus.SUBMITTED:
        review.status, review.submitted_at = ReviewStatus.DRAFT, None  # the stage was passed back: look again
    _take(session, submission, track, by)
    if review is None:
        review = Review(submission_id=submission.id, attempt_number=submission.attempt_number,
                        position=submission.stage, stage_kind=stage.kind, reviewer_id=by.id)
        session.add(review)
    _fill(review, submission, stage.kind, data)
    if submit:
        problems = _problems(review, submission, stage.kind, track)
        if problems:
            raise ReviewIncomplete(problems)
    session.flush()
    _begin_review(session, submission, by)
    if not submit:
        return review
    now = utcnow()
    _keep_reason_only_when_needed(review, submission)
    review.status, review.submitted_at = ReviewStatus.SUBMITTED, now
    session.execute(delete(ReviewClaim).where(ReviewClaim.submission_id == submission.id,
                                              ReviewClaim.user_id == by.id))
    session.flush()
    audit.record(session, "review.submitted", actor=by, target=submission, position=submission.stage,
                 kind=stage.kind, decision=review.decision, holistic=bool(review.holistic_reason))
    _recognise(session, review, submission)
    done = _submitted_here(session, submission, track)
    if len(done) >= stage.required_reviews:
        _complete_stage(session, submission, track, stage, done, by)
    return review


def _fill(review: Review, submission, kind: str, data: ReviewInput) -> None:
    criteria = rubric(submission)["criteria"]
    levels = rubric(submission)["levels"]
    if data.decision and data.decision not in DECISIONS[kind]:
        raise ValidationFailed("That decision is not available at this stage.")
    for name, text in (("feedback", data.feedback), ("private_note", data.private_note)):
        if len(text or "") > MAX_TEXT:
            raise ReviewIncomplete([(name, f"This can be at most {MAX_TEXT:,} characters.")])
    if len(data.holistic_reason or "") > MAX_REASON:
        raise ReviewIncomplete([("holistic_reason", f"The reason can be at most {MAX_REASON:,} characters.")])
    review.decision = data.decision or (DECISIONS[kind][0] if len(DECISIONS[kind]) == 1 else None)
    review.feedback = (data.feedback or "").strip()
    review.private_note = (data.private_note or "").strip()
    review.holistic_reason = (data.holistic_reason or "").strip() if kind in DECIDING else ""
    existing = {s.criterion_index: s for s in review.scores}
    for index, criterion in enumerate(criteria):
        given = data.scores.get(index) or {}
        level = given.get("level")
        if level is not None and (kind not in DECIDING or not 0 <= int(level) < len(levels)):
            message = f"Choose one of the rubric's levels for “{criterion['name']}”."
            raise ReviewIncomplete([(f"level-{index}", message)])
        texts = {k: (given.get(k) or "").strip()[:MAX_TEXT] for k in ("glow", "grow", "comment")}
        score = existing.get(index)
        if score is None:
            if level is None and not any(texts.values()):
                continue
            score = ReviewScore(criterion_index=index, criterion=criterion["name"][:200])
            review.scores.append(score)
        score.level = None if level is None else int(level)
        score.glow, score.grow, score.comment = texts["glow"], texts["grow"], texts["comment"]


def _problems(review: Review, submission, kind: str, track) -> list[tuple[str, str]]:
    """Why the review cannot be submitted yet, each reason with the form field it belongs beside."""
    problems = []
    data = rubric(submission)
    criteria = data["criteria"]
    scored = {s.criterion_index: s for s in review.scores}
    if kind == StageKind.PEER:
        for index, criterion in enumerate(criteria):
            s = scored.get(index)
            if s is None or not (s.glow or s.grow):
                problems.append((f"glow-{index}", f"Give a glow or a grow for “{criterion['name']}”."))
        if not criteria and not review.feedback:
            problems.append(("feedback", "Write your feedback for the teacher."))
    if kind in DECIDING:
        for index, criterion in enumerate(criteria):
            if scored.get(index) is None or scored[index].level is None:
                problems.append((f"level-{index}", f"Choose a level for “{criterion['name']}”."))
    if review.decision is None:
        problems.append(("decision", "Choose your decision."))
    levels = {i: s.level for i, s in scored.items()}
    problems.extend(meets_problems(data, kind, review.decision, levels, review.holistic_reason))
    if review.decision in (Decision.NOT_YET, Decision.INCOMPLETE) and not review.feedback:
        problems.append(("feedback", "Say what the teacher should work on: feedback is required for “not yet”."
                         if review.decision == Decision.NOT_YET else "Say what is missing, so the teacher can add it."))
    if review.decision == Decision.PASS_BACK:
        if submission.stage <= 1 or track.chain.stage_at(submission.stage - 1).kind == StageKind.COMPLETENESS:
            problems.append(("decision", "There is no earlier review stage to pass it back to."))
        if not review.private_note:
            problems.append(("private_note", "Say in the note for reviewers why you are passing it back."))
    return problems


def _keep_reason_only_when_needed(review: Review, submission) -> None:
    """A holistic reason belongs only to a "meets" the scores do not support on their own."""
    levels = {s.criterion_index: s.level for s in review.scores}
    if review.decision != Decision.MEETS or score_check(rubric(submission), levels).supports_meets:
        review.holistic_reason = ""


def _recognise(session, review: Review, submission) -> None:
    amount = int(setting("REVIEW_POINTS") or 0)
    if amount <= 0:
        return
    from milepost.points import services as points
    from milepost.points.models import EntryKind

    points.credit(session, user_id=review.reviewer_id, kind=EntryKind.REVIEW, amount=amount,
                  source=f"review:{review.id}", by=None,
                  reason=f"{STAGE_LABELS[review.stage_kind]}: {submission.badge.title}")
    points.evaluate_tiers(session, review.reviewer_id)


def _complete_stage(session, submission, track, stage, reviews: list[Review], by) -> None:
    decisions = {r.decision for r in reviews}
    last = submission.stage >= len(track.chain.stages)
    if Decision.NOT_YET in decisions or Decision.INCOMPLETE in decisions:
        evidence.transition(session, submission, "return", by=by, note=compose_feedback(session, submission))
    elif Decision.PASS_BACK in decisions:
        back = submission.stage - 1
        earlier = session.scalars(select(Review).where(
            Review.submission_id == submission.id, Review.attempt_number == submission.attempt_number,
            Review.position == back, Review.status == ReviewStatus.SUBMITTED)).all()
        _event(session, submission, EventAction.PASS_BACK, by=by, position=back,
               note=f"Passed back to {track.chain.stage_at(back).label}.")
        evidence.transition(session, submission, "send_back", by=by, stage=back)
        # The earlier stage's reviewers look again (their reviews reopen when they save); the work is theirs.
        _enter(session, submission, track, outcome=VisitOutcome.PASSED_BACK)
        hours = timedelta(hours=float(setting("REVIEW_CLAIM_HOURS")))
        for r in earlier:
            session.add(ReviewClaim(submission_id=submission.id, attempt_number=submission.attempt_number,
                                    position=back, user_id=r.reviewer_id, claimed_at=utcnow(),
                                    expires_at=utcnow() + hours, assigned_by_id=by.id))
    elif last:
        evidence.transition(session, submission, "award", by=by, note=compose_feedback(session, submission))
    else:
        evidence.transition(session, submission, "advance", by=by, stage=submission.stage + 1)
        _enter(session, submission, track, outcome=VisitOutcome.ADVANCED)


