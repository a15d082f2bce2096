"""Review chains: the district's default chains, a badge's own chain, and saving or removing one; with the
few names every part of the review rules shares (which states are open, which stage kinds decide)."""
from __future__ import annotations

from flask import current_app
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from milepost.badges.models import BadgeKind
from milepost.core import audit
from milepost.core.errors import InvalidTransition, ValidationFailed
from milepost.evidence import services as evidence
from milepost.evidence.models import Submission, SubmissionState
from milepost.reviews.models import STAGE_KINDS, ReviewChain, ReviewStage, ReviewTrack, StageKind

OPEN = (SubmissionState.SUBMITTED, SubmissionState.IN_REVIEW)
DECIDING = (StageKind.COACH, StageKind.DISTRICT)
MAX_STAGES = 6
# Seeded when a district has not set its own: peers give feedback (skipped at once when the teacher
# is in no PLC, since nobody could ever take it), then a coach decides. Outside learning goes to the PD office.
DEFAULT_CHAINS = {
    "default": ("District default", [(StageKind.PEER, 1, 0), (StageKind.COACH, 1, None)]),
    "outside_learning": ("Outside learning", [(StageKind.DISTRICT, 1, None)]),
}


def setting(name: str):
    return current_app.config[name]


def _default_chain(session, scope: str) -> ReviewChain:
    chain = session.scalar(select(ReviewChain).where(ReviewChain.scope == scope))
    if chain is not None:
        return chain
    name, stages = DEFAULT_CHAINS[scope]
    chain = ReviewChain(scope=scope, name=name)
    for position, (kind, required, skip) in enumerate(stages, start=1):
        chain.stages.append(ReviewStage(position=position, kind=kind, required_reviews=required,
                                        skip_after_days=skip))
    try:
        with session.begin_nested():
            session.add(chain)
    except IntegrityError:  # seeded by another request at the same moment
        chain = session.scalar(select(ReviewChain).where(ReviewChain.scope == scope))
    return chain


def default_chains(session) -> list[ReviewChain]:
    return [_default_chain(session, scope) for scope in DEFAULT_CHAINS]


def chain_for(session, badge) -> ReviewChain:
    """The badge's own chain, else the outside-learning or the district default."""
    own = session.scalar(select(ReviewChain).where(ReviewChain.scope == f"badge:{badge.id}"))
    if own is not None:
        return own
    return _default_chain(session, "outside_learning" if badge.kind == BadgeKind.OUTSIDE_LEARNING else "default")


def save_chain(session, scope: str, stages: list[dict], *, by, badge=None, name: str = "") -> ReviewChain:
    """Replace a chain's stages, after checking the chain can always reach a decision."""
    problems = validate_stages(stages)
    if problems:
        raise ValidationFailed("The chain cannot be saved: " + " ".join(problems), problems=problems)
    chain = session.scalar(select(ReviewChain).where(ReviewChain.scope == scope))
    if chain is None:
        if scope in DEFAULT_CHAINS:
            chain = _default_chain(session, scope)
        else:
            chain = ReviewChain(scope=scope, badge_id=getattr(badge, "id", None),
                                name=name or (f"Chain for {badge.title}" if badge else scope))
            session.add(chain)
    chain.stages.clear()
    session.flush()
    for position, stage in enumerate(stages, start=1):
        chain.stages.append(ReviewStage(position=position, kind=stage["kind"],
                                        required_reviews=int(stage.get("required_reviews") or 1),
                                        skip_after_days=(None if position == len(stages)
                                                         else stage.get("skip_after_days"))))
    session.flush()
    # Work already in the chain keeps its stage; past the new end it waits at the (deciding) last stage.
    for submission in session.scalars(select(Submission).join(ReviewTrack, ReviewTrack.submission_id == Submission.id)
                                      .where(ReviewTrack.chain_id == chain.id, Submission.stage > len(stages))):
        evidence.place_at_stage(session, submission, len(stages))
    session.flush()
    # Open work keeps its stage number, whose stage may now be of another kind.
    for stage in chain.stages:
        at_stage = select(Submission.id).where(Submission.stage == stage.position)
        session.execute(update(ReviewTrack).where(ReviewTrack.chain_id == chain.id,
                                                  ReviewTrack.submission_id.in_(at_stage),
                                                  ReviewTrack.waiting_kind.is_not(None))
                        .values(waiting_kind=stage.kind).execution_options(synchronize_session="fetch"))
    audit.record(session, "review_chain.saved", actor=by, target=chain, scope=scope,
                 stages=[s["kind"] for s in stages])
    return chain


def validate_stages(stages: list[dict]) -> list[str]:
    problems = []
    if not stages:
        return ["Add at least one stage."]
    if len(stages) > MAX_STAGES:
        problems.append(f"A chain can have at most {MAX_STAGES} stages.")
    kinds = [s.get("kind") for s in stages]
    if any(k not in STAGE_KINDS for k in kinds):
        problems.append("Each stage must be a completeness check, peer, coach or district stage.")
    if StageKind.COMPLETENESS in kinds[1:]:
        problems.append("The completeness check can only be the first stage.")
    if kinds[-1] not in DECIDING:
        problems.append("The last stage must be a coach or district stage: someone has to decide.")
    for s in stages:
        if not 1 <= int(s.get("required_reviews") or 1) <= 5:
            problems.append("Each stage needs between 1 and 5 reviewers.")
            break
    for s in stages:
        if s.get("skip_after_days") is not None and int(s["skip_after_days"]) < 0:
            problems.append("Days before skipping cannot be negative.")
            break
    return problems


def remove_chain(session, scope: str, *, by) -> None:
    chain = session.scalar(select(ReviewChain).where(ReviewChain.scope == scope))
    if chain is None or scope in DEFAULT_CHAINS:
        raise InvalidTransition("Only a badge's own chain can be removed; the defaults stay.")
    in_use = session.scalar(select(func.count()).select_from(ReviewTrack).join(Submission)
                            .where(ReviewTrack.chain_id == chain.id, Submission.state.in_(OPEN)))
    if in_use:
        raise InvalidTransition(f"{in_use} submission(s) are being reviewed in this chain; "
                                "remove it when they are decided.")
    session.execute(delete(ReviewTrack).where(ReviewTrack.chain_id == chain.id))
    audit.record(session, "review_chain.removed", actor=by, target=chain, scope=scope)
    session.delete(chain)


