"""The decision rule, in one place: when the scores of a review support "meets", and what a "meets" that
they do not support needs (a badge that allows a holistic judgement, and a written reason). The scoring
page, the live check in the browser (which mirrors `score_check`), the credential's wording and the PD
office's report of past awards all read it from here."""
from __future__ import annotations

from dataclasses import dataclass, field

from milepost.reviews.models import Decision, StageKind

# The kinds of stage whose reviewers score the rubric's levels and may decide "meets".
SCORED_KINDS = (StageKind.COACH, StageKind.DISTRICT)
MAX_REASON = 2000


def meets_index(rubric: dict) -> int | None:
    """The index of the rubric's "meets" level (levels are lowest first), or None when it has none."""
    levels, meets = rubric.get("levels") or [], rubric.get("meets_level")
    return levels.index(meets) if meets in levels else None


def allows_holistic(rubric: dict) -> bool:
    """Whether the badge (as the version under review was published) allows a holistic "meets"."""
    return bool(rubric.get("allow_holistic"))


@dataclass(frozen=True)
class ScoreCheck:
    """What a set of levels says about "meets": which criteria are below the meets level or not scored yet."""

    below: list[str] = field(default_factory=list)     # names of criteria scored below the meets level
    unscored: list[str] = field(default_factory=list)  # names of criteria with no level yet

    @property
    def supports_meets(self) -> bool:
        """Every criterion is scored at or above the meets level."""
        return not self.below and not self.unscored


def score_check(rubric: dict, levels: dict[int, int | None]) -> ScoreCheck:
    """Compare the chosen level of each criterion (criterion index -> level index) with the meets level.

    A rubric without criteria or without a meets level has nothing to fall short of."""
    index = meets_index(rubric)
    below, unscored = [], []
    for i, criterion in enumerate(rubric.get("criteria") or []):
        level = levels.get(i)
        if level is None:
            unscored.append(criterion["name"])
        elif index is not None and level < index:
            below.append(criterion["name"])
    return ScoreCheck(below=below, unscored=unscored)


def meets_problems(rubric: dict, kind: str, decision: str | None, levels: dict[int, int | None],
                   reason: str) -> list[tuple[str, str]]:
    """Why this "meets" cannot be accepted, as (form field, message) pairs; empty when it can.

    "Meets" needs every criterion at or above the meets level. Where the badge allows a holistic judgement,
    a reviewer may decide "meets" with a criterion below it if they say why; nowhere else. A reason given
    with scores that support "meets" is not needed (and the caller drops it)."""
    if decision != Decision.MEETS or kind not in SCORED_KINDS:
        return []
    check = score_check(rubric, levels)
    if not check.below:
        return []  # unscored criteria are reported by the completeness check of the review
    names = ", ".join(f"“{n}”" for n in check.below)
    meets = rubric.get("meets_level")
    if not allows_holistic(rubric):
        return [("decision", f"“Meets” needs every criterion at “{meets}” or above; {names} "
                             f"{'is' if len(check.below) == 1 else 'are'} below it. Raise the score or decide "
                             "“not yet”.")]
    if not (reason or "").strip():
        return [("holistic_reason", f"{names} {'is' if len(check.below) == 1 else 'are'} below “{meets}”: "
                                    "to decide “meets” as a whole, say why the evidence meets the standard.")]
    if len(reason) > MAX_REASON:
        return [("holistic_reason", f"The reason can be at most {MAX_REASON:,} characters.")]
    return []


def judgement_text(rubric: dict, reason: str) -> str:
    """How an award was judged, in words for its credential: every criterion met, or a holistic judgement."""
    meets = rubric.get("meets_level")
    if (reason or "").strip():
        return ("Judged as a whole: the reviewer found that the evidence meets the standard although not every "
                f"criterion was scored at “{meets}” or above. The reviewer’s reason: {reason.strip()}")
    if rubric.get("criteria") and meets:
        return f"Every rubric criterion was judged at “{meets}” or above."
    return "The evidence was reviewed and judged to meet the standard."


def deciding_reviews(session, submission) -> list:
    """The submitted "meets" reviews of the stage that awarded the submission (its last scored stage)."""
    from sqlalchemy import select

    from milepost.reviews.models import Review, ReviewStatus

    rows = session.scalars(select(Review).where(
        Review.submission_id == submission.id, Review.attempt_number == submission.attempt_number,
        Review.status == ReviewStatus.SUBMITTED, Review.decision == Decision.MEETS,
        Review.stage_kind.in_([k.value for k in SCORED_KINDS])).order_by(Review.position, Review.id)).all()
    if not rows:
        return []
    last = rows[-1].position
    return [r for r in rows if r.position == last]


def award_judgement(session, award) -> str | None:
    """How an award was judged, for its credential: None for an award not decided by a scored review."""
    if award.submission_id is None:
        return None
    from milepost.evidence.models import Submission
    from milepost.reviews.services.feedback import rubric

    submission = session.get(Submission, award.submission_id)
    reviews = deciding_reviews(session, submission) if submission is not None else []
    if not reviews:
        return None
    data = rubric(submission)
    reasons = [r.holistic_reason for r in reviews if r.holistic_reason]
    if reasons:
        return judgement_text(data, " ".join(reasons))
    if all(score_check(data, {s.criterion_index: s.level for s in r.scores}).supports_meets for r in reviews):
        return judgement_text(data, "")
    # Decided before the rule held (the PD office's report lists these): say only what is true of it.
    return "The reviewer judged that the evidence meets the standard."


@dataclass(frozen=True)
class Disagreement:
    """A past award one of whose "meets" reviews scored a criterion below the meets level, without a reason."""

    award: object
    review: object
    below: list[str]


def disagreeing_awards(session, *, limit: int = 500) -> list[Disagreement]:
    """Awards whose scores disagree with their decision, newest first, for the PD office to look at.

    They are listed, never changed: the award stands until the PD office decides otherwise (revoking it is
    theirs to do). A candidate is a "meets" review at a scored stage of the awarded attempt, with no
    holistic reason and some level below the meets level of the badge version it was awarded under."""
    from sqlalchemy import case, select
    from sqlalchemy.orm import selectinload

    from milepost.awards.models import Award
    from milepost.badges.models import BadgeVersion
    from milepost.evidence.models import Submission
    from milepost.reviews.models import Review, ReviewScore, ReviewStatus

    thresholds = {}
    for version_id, snapshot in session.execute(select(BadgeVersion.id, BadgeVersion.snapshot)):
        index = meets_index((snapshot or {}).get("rubric") or {})
        if index:
            thresholds[version_id] = index
    if not thresholds:
        return []
    threshold = case(thresholds, value=Award.badge_version_id, else_=-1)
    below = (select(ReviewScore.id).where(ReviewScore.review_id == Review.id, ReviewScore.level.is_not(None),
                                          ReviewScore.level < threshold).exists())
    rows = session.execute(
        select(Award, Review).join(Submission, Submission.id == Award.submission_id)
        .join(Review, (Review.submission_id == Submission.id) & (Review.attempt_number == Submission.attempt_number))
        .where(Review.status == ReviewStatus.SUBMITTED, Review.decision == Decision.MEETS,
               Review.stage_kind.in_([k.value for k in SCORED_KINDS]), Review.holistic_reason == "", below)
        .options(selectinload(Award.user), selectinload(Award.badge), selectinload(Review.reviewer))
        .order_by(Award.issued_at.desc(), Award.id.desc(), Review.position).limit(limit)).all()
    found = []
    for award, review in rows:
        index = thresholds[award.badge_version_id]
        names = [s.criterion for s in review.scores if s.level is not None and s.level < index]
        found.append(Disagreement(award=award, review=review, below=names))
    return found
