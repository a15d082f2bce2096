"""Calibration rounds and double-scoring: a reviewer scores an exemplar blind and then sees their scores
beside the agreed ones; the PD office asks for a second blind score on a share of a badge's live
submissions; and the agreement figures of both (exact, adjacent, Cohen's kappa where there are enough
pairs) per reviewer, per criterion and per month."""
from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from milepost.core import audit
from milepost.core.errors import InvalidTransition, NotAllowed, ValidationFailed
from milepost.evidence.models import Submission
from milepost.reviews import access
from milepost.reviews.models import (
    Anchor,
    CalibrationScore,
    DoubleScoring,
    Review,
    ReviewStatus,
    SecondScore,
)
from milepost.reviews.services.chains import OPEN
from milepost.reviews.services.decision import SCORED_KINDS
from milepost.reviews.services.feedback import rubric

MIN_KAPPA_PAIRS = 10  # fewer pairs than this give no kappa: it would say more than the data can


# --------------------------------------------------------------------------- the figures


@dataclass(frozen=True)
class AgreementFigures:
    """How often two sets of levels agree: exactly, within one level, and Cohen's kappa (chance-corrected
    exact agreement, unweighted) when there are at least MIN_KAPPA_PAIRS pairs."""

    pairs: int
    exact: int
    adjacent: int
    kappa: float | None

    @property
    def exact_percent(self) -> int:
        return round(100 * self.exact / self.pairs) if self.pairs else 0

    @property
    def adjacent_percent(self) -> int:
        return round(100 * self.adjacent / self.pairs) if self.pairs else 0


def cohens_kappa(pairs: list[tuple[int, int]]) -> float | None:
    """(p_o - p_e) / (1 - p_e) over the pairs' categories; None without pairs or when chance agreement is
    certain (both sides always chose one and the same level)."""
    n = len(pairs)
    if not n:
        return None
    observed = sum(1 for a, b in pairs if a == b) / n
    first, second = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
    expected = sum(first[k] * second[k] for k in set(first) | set(second)) / (n * n)
    if expected >= 1:
        return None
    return (observed - expected) / (1 - expected)


def figures(pairs: list[tuple[int, int]]) -> AgreementFigures:
    return AgreementFigures(pairs=len(pairs), exact=sum(1 for a, b in pairs if a == b),
                            adjacent=sum(1 for a, b in pairs if abs(a - b) <= 1),
                            kappa=cohens_kappa(pairs) if len(pairs) >= MIN_KAPPA_PAIRS else None)


def _levels(raw: dict | None) -> dict[int, int]:
    return {int(k): int(v) for k, v in (raw or {}).items() if v is not None}


def _check_levels(submission, levels: dict[int, int | None]) -> dict[str, int]:
    data = rubric(submission)
    missing = [c["name"] for i, c in enumerate(data["criteria"]) if levels.get(i) is None]
    if missing:
        raise ValidationFailed("Choose a level for every criterion: " + ", ".join(f"“{n}”" for n in missing) + ".",
                               problems=[f"Choose a level for “{n}”." for n in missing])
    if any(not 0 <= levels[i] < len(data["levels"]) for i in range(len(data["criteria"]))):
        raise ValidationFailed("Choose one of the rubric's levels for each criterion.")
    return {str(i): int(levels[i]) for i in range(len(data["criteria"]))}


# --------------------------------------------------------------------------- calibration rounds


def agreed_levels(session, anchor: Anchor) -> dict[int, int]:
    """The exemplar's agreed scores: those the PD office kept when marking it, else its deciding review's."""
    if anchor.agreed_levels:
        return _levels(anchor.agreed_levels)
    review = session.scalar(select(Review).where(
        Review.submission_id == anchor.submission_id, Review.attempt_number == anchor.attempt_number,
        Review.status == ReviewStatus.SUBMITTED, Review.stage_kind.in_([k.value for k in SCORED_KINDS]))
        .order_by(Review.position.desc(), Review.id.desc()))
    return {s.criterion_index: s.level for s in review.scores if s.level is not None} if review else {}


def set_agreed_levels(session, anchor: Anchor, levels: dict[int, int | None], *, by) -> None:
    if not access.can_oversee(by):
        raise NotAllowed("Only the PD office agrees an exemplar's scores.")
    anchor.agreed_levels = _check_levels(anchor.submission, levels)
    session.flush()
    audit.record(session, "review.anchor_agreed", actor=by, target=anchor.submission)


def calibrate(session, anchor: Anchor, levels: dict[int, int | None], *, by) -> CalibrationScore:
    """Keep a reviewer's blind scores of an exemplar (each round is kept, so figures show change over time)."""
    if not access.may_review(by):
        raise NotAllowed("Calibration rounds are for people who review.")
    if anchor.submission.user_id == by.id:
        raise NotAllowed("This exemplar is your own work: choose another one to calibrate against.")
    if not agreed_levels(session, anchor):
        raise InvalidTransition("This exemplar has no agreed scores yet to compare with.")
    row = CalibrationScore(anchor_id=anchor.id, user_id=by.id, levels=_check_levels(anchor.submission, levels))
    session.add(row)
    session.flush()
    return row


def round_result(session, row: CalibrationScore) -> list[dict]:
    """Per criterion: the reviewer's level beside the agreed one, and whether they agree exactly or within one."""
    data = rubric(row.anchor.submission)
    agreed, mine = agreed_levels(session, row.anchor), _levels(row.levels)
    result = []
    for i, criterion in enumerate(data["criteria"]):
        a, m = agreed.get(i), mine.get(i)
        result.append({"criterion": criterion["name"], "mine": data["levels"][m] if m is not None else "",
                       "agreed": data["levels"][a] if a is not None else "",
                       "exact": a is not None and a == m,
                       "adjacent": a is not None and m is not None and abs(a - m) <= 1})
    return result


@dataclass
class AgreementReport:
    by_reviewer: list[tuple[str, AgreementFigures]]
    by_criterion: list[tuple[str, AgreementFigures]]
    by_month: list[tuple[str, AgreementFigures]]


def _report(rows) -> AgreementReport:
    """rows: (reviewer name, badge title, criterion name, month 'YYYY-MM', level, agreed level)."""
    who, what, when = defaultdict(list), defaultdict(list), defaultdict(list)
    for name, badge, criterion, month, level, agreed in rows:
        who[name].append((level, agreed))
        what[f"{badge}: {criterion}"].append((level, agreed))
        when[month].append((level, agreed))
    return AgreementReport(by_reviewer=sorted((k, figures(v)) for k, v in who.items()),
                           by_criterion=sorted((k, figures(v)) for k, v in what.items()),
                           by_month=sorted((k, figures(v)) for k, v in when.items()))


def calibration_report(session) -> AgreementReport:
    """Agreement of every calibration round with its exemplar's agreed scores."""
    rows = session.scalars(select(CalibrationScore).options(
        selectinload(CalibrationScore.user),
        selectinload(CalibrationScore.anchor).selectinload(Anchor.submission).selectinload(Submission.badge))).all()
    agreed_of = {}
    flat = []
    for row in rows:
        if row.anchor_id not in agreed_of:
            agreed_of[row.anchor_id] = agreed_levels(session, row.anchor)
        data = rubric(row.anchor.submission)
        for i, level in _levels(row.levels).items():
            agreed = agreed_of[row.anchor_id].get(i)
            if agreed is not None and i < len(data["criteria"]):
                flat.append((row.user.display_name, row.anchor.submission.badge.title, data["criteria"][i]["name"],
                             row.scored_at.strftime("%Y-%m"), level, agreed))
    return _report(flat)


# --------------------------------------------------------------------------- double-scoring


def double_scoring(session) -> dict[int, int]:
    """badge id -> the percent of its live submissions given a second blind score."""
    return {row.badge_id: row.percent for row in session.scalars(select(DoubleScoring))}


def set_double_scoring(session, badge, percent: int, *, by) -> None:
    if not access.can_oversee(by):
        raise NotAllowed("Only the PD office sets double-scoring.")
    if not isinstance(percent, int) or not 0 <= percent <= 100:
        raise ValidationFailed("The share for a second score is a whole percent from 0 to 100.")
    row = session.get(DoubleScoring, badge.id)
    if row is None:
        row = DoubleScoring(badge_id=badge.id)
        session.add(row)
    row.percent = percent
    session.flush()
    audit.record(session, "review.double_scoring", actor=by, target=badge, percent=percent)


def sampled(submission_id: int, attempt_number: int, percent: int) -> bool:
    """Whether this attempt is in the badge's sample: a fixed draw from its ids, so the same attempt is always
    in or out, and about `percent` in a hundred attempts are in."""
    if percent <= 0:
        return False
    digest = hashlib.sha256(f"second-score:{submission_id}:{attempt_number}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % 100 < percent


def may_second_score(session, user, submission) -> bool:
    """A coach who may see the live submission, in its badge's sample, and who has not reviewed this attempt."""
    if submission.state not in OPEN or not user.has_role("coach") or user.id == submission.user_id:
        return False
    percent = double_scoring(session).get(submission.badge_id, 0)
    if not sampled(submission.id, submission.attempt_number, percent) or not access.can_open(user, submission):
        return False
    reviewed = session.scalar(select(Review.id).where(
        Review.submission_id == submission.id, Review.attempt_number == submission.attempt_number,
        Review.reviewer_id == user.id))
    scored = session.scalar(select(SecondScore.id).where(
        SecondScore.submission_id == submission.id, SecondScore.attempt_number == submission.attempt_number,
        SecondScore.user_id == user.id))
    return reviewed is None and scored is None


def second_score(session, submission, levels: dict[int, int | None], *, by) -> SecondScore:
    if not may_second_score(session, by, submission):
        raise NotAllowed("This submission is not asking you for a second score (or you have given it).")
    row = SecondScore(submission_id=submission.id, attempt_number=submission.attempt_number, user_id=by.id,
                      levels=_check_levels(submission, levels))
    session.add(row)
    session.flush()
    audit.record(session, "review.second_score", actor=by, target=submission)
    return row


def asking_second_scores(session, user, *, limit: int = 20) -> list:
    """Live submissions in a badge's sample that this coach could give a second score to (none of theirs)."""
    shares = {b: p for b, p in double_scoring(session).items() if p > 0}
    if not shares or not user.has_role("coach"):
        return []
    candidates = session.scalars(select(Submission).where(Submission.badge_id.in_(shares),
                                                          Submission.state.in_(OPEN), Submission.user_id != user.id)
                                 .options(selectinload(Submission.badge)).order_by(Submission.submitted_at)
                                 .limit(limit * 10)).all()
    done = set(session.execute(select(SecondScore.submission_id, SecondScore.attempt_number)
                               .where(SecondScore.user_id == user.id)).all())
    found = [s for s in candidates if sampled(s.id, s.attempt_number, shares[s.badge_id])
             and (s.id, s.attempt_number) not in done and may_second_score(session, user, s)]
    return found[:limit]


def double_scoring_report(session) -> AgreementReport:
    """Agreement of each second score with the submitted scores of the deciding stage's reviews of the same
    attempt (one pair per criterion and deciding reviewer)."""
    seconds = session.scalars(select(SecondScore).options(selectinload(SecondScore.user))).all()
    if not seconds:
        return _report([])
    reviews = session.scalars(select(Review).where(
        Review.submission_id.in_({s.submission_id for s in seconds}), Review.status == ReviewStatus.SUBMITTED,
        Review.stage_kind.in_([k.value for k in SCORED_KINDS]))).all()
    submissions = {s.id: s for s in session.scalars(select(Submission).where(
        Submission.id.in_({s.submission_id for s in seconds})).options(selectinload(Submission.badge)))}
    by_attempt = defaultdict(list)
    for r in reviews:
        by_attempt[(r.submission_id, r.attempt_number)].append(r)
    flat = []
    for second in seconds:
        submission = submissions[second.submission_id]
        data = rubric(submission)
        for review in by_attempt[(second.submission_id, second.attempt_number)]:
            theirs = {s.criterion_index: s.level for s in review.scores if s.level is not None}
            for i, level in _levels(second.levels).items():
                if i in theirs and i < len(data["criteria"]):
                    flat.append((second.user.display_name, submission.badge.title, data["criteria"][i]["name"],
                                 second.scored_at.strftime("%Y-%m"), level, theirs[i]))
    return _report(flat)
