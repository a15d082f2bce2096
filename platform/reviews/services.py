"""Review-chain rules: which chain a badge uses, who may review a submission at its stage (one SQL
rule used by the queue, the pages and is_reviewer), claims, scoring, stage moves, reminders and the
calibration figures. Every state change still goes through evidence.services.transition."""
from __future__ import annotations

import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, delete, exists, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, selectinload

from milepost.accounts.models import PLCMembership, User, UserRole
from milepost.core import audit
from milepost.core.errors import InvalidTransition, NotAllowed, NotFound, ValidationFailed
from milepost.core.model import utcnow
from milepost.evidence import services as evidence
from milepost.evidence.models import Submission
from milepost.reviews.models import (DECISIONS, STAGE_KINDS, STAGE_LABELS, Anchor, ReminderSent, Review,
                                     ReviewChain, ReviewClaim, ReviewEvent, ReviewScore, ReviewStage, ReviewTrack,
                                     StageVisit)

OPEN = ("submitted", "in_review")
DECIDING = ("coach", "district")
MAX_STAGES = 6
MAX_TEXT = 10000
# Seeded when a district has not set its own: peers give feedback (skipped at once when the teacher
# is in no PLC, since nobody could ever take it), then a coach decides. Outside learning goes to the PD office.
DEFAULT_CHAINS = {
    "default": ("District default", [("peer", 1, 0), ("coach", 1, None)]),
    "outside_learning": ("Outside learning", [("district", 1, None)]),
}


def setting(name: str):
    return current_app.config[name]


# --------------------------------------------------------------------------- chains


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
    return _default_chain(session, "outside_learning" if badge.kind == "outside_learning" else "default")


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
                                        skip_after_days=None if position == len(stages) else stage.get("skip_after_days")))
    session.flush()
    # Work already in the chain keeps its place; past the new end it waits at the (deciding) last stage.
    for track in session.scalars(select(ReviewTrack).where(ReviewTrack.chain_id == chain.id,
                                                           ReviewTrack.position > len(stages))):
        track.position = len(stages)
    session.flush()
    # Open work keeps its position, whose stage may now be of another kind.
    for stage in chain.stages:
        session.execute(update(ReviewTrack).where(ReviewTrack.chain_id == chain.id,
                                                  ReviewTrack.position == stage.position,
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
    if "completeness" in kinds[1:]:
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
        raise InvalidTransition(f"{in_use} submission(s) are being reviewed in this chain; remove it when they are decided.")
    session.execute(delete(ReviewTrack).where(ReviewTrack.chain_id == chain.id))
    audit.record(session, "review_chain.removed", actor=by, target=chain, scope=scope)
    session.delete(chain)


# --------------------------------------------------------------------------- eligibility (one rule)


def _eligible_clause(uid):
    """SQL: person `uid` (a bound id or User.id) may review the submission at its track's stage.

    The caller's query joins Submission, ReviewTrack and ReviewStage (the track's current stage)."""
    S, T, G = Submission, ReviewTrack, ReviewStage
    mine, theirs = aliased(PLCMembership), aliased(PLCMembership)
    same_plc = exists().where(mine.user_id == uid, theirs.plc_id == mine.plc_id, theirs.user_id == S.user_id)
    peer_ok = same_plc
    if setting("REVIEW_PEERS_MUST_HOLD_BADGE"):
        from milepost.awards.models import Award
        from milepost.awards.services import active_filter
        peer_ok = and_(same_plc, exists().where(Award.user_id == uid, Award.badge_id == S.badge_id, active_filter()))

    def has_role(role):
        return exists().where(UserRole.user_id == uid, UserRole.role == role)

    kind_ok = or_(and_(G.kind == "peer", peer_ok),
                  and_(G.kind == "coach", has_role("coach")),
                  and_(G.kind.in_(("district", "completeness")), has_role("pd_admin")))
    earlier = aliased(Review)
    # Nobody reviews one submission at two stages (a completeness check is not a judgement, so it does not count).
    other_stage = exists().where(earlier.submission_id == S.id, earlier.reviewer_id == uid,
                                 earlier.position != T.position, earlier.stage_kind != "completeness")
    # Someone whose review already counts for this stage has nothing more to do here.
    done_here = exists().where(earlier.submission_id == S.id, earlier.reviewer_id == uid,
                               earlier.attempt_number == S.attempt_number, earlier.position == T.position,
                               earlier.status == "submitted", earlier.submitted_at >= T.entered_at)
    return and_(S.user_id != uid, S.state.in_(OPEN), kind_ok, or_(G.kind == "completeness", ~other_stage),
                ~done_here)


def _at_stage(query):
    return (query.join(ReviewTrack, ReviewTrack.submission_id == Submission.id)
            .join(ReviewStage, and_(ReviewStage.chain_id == ReviewTrack.chain_id,
                                    ReviewStage.position == ReviewTrack.position)))


def eligible_now(session, user, submission) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(session.scalar(_at_stage(select(Submission.id)).where(
        Submission.id == submission.id, _eligible_clause(user.id))))


def eligible_reviewers(session, submission, *, limit: int | None = None) -> list[User]:
    """Everyone who could take the submission's current stage, coaches of the earner's school first (the
    first `limit` of them for a page that lists them).

    The rule is checked only for the people who could pass it (the earner's PLC colleagues and the coaches
    and the PD office, through indexes), not for everyone in the district; schools come in the same query."""
    from sqlalchemy.orm import joinedload, lazyload

    earner = aliased(User)
    earner_school = select(earner.school_id).where(earner.id == Submission.user_id).scalar_subquery()
    mine, theirs = aliased(PLCMembership), aliased(PLCMembership)
    colleagues = (select(mine.user_id).join(theirs, theirs.plc_id == mine.plc_id)
                  .where(theirs.user_id == submission.user_id))
    staff = select(UserRole.user_id).where(UserRole.role.in_(("coach", "pd_admin")))
    query = _at_stage(select(User).join(Submission, Submission.id == submission.id)).where(
        or_(User.id.in_(colleagues), User.id.in_(staff)), User.active.is_(True), _eligible_clause(User.id))
    query = query.options(joinedload(User.school), lazyload(User.role_rows)).order_by(
        (User.school_id == earner_school).desc(), User.display_name, User.id)
    return session.scalars(query if limit is None else query.limit(limit)).all()


def _cache(session) -> dict:
    return session.info.setdefault("milepost_reviews_access", {})


def clear_cache(session, *_args) -> None:
    session.info.pop("milepost_reviews_access", None)


def took_part_or_eligible(user, submission) -> bool:
    """Eligible for the submission's current stage, or reviewed an earlier one (evidence asks this through
    the reviewer_asked signal)."""
    from milepost.extensions import db

    session = db.session
    key = (user.id, submission.id, submission.state, submission.lock_version)
    cache = _cache(session)
    if key not in cache:
        took_part = exists().where(Review.submission_id == submission.id, Review.reviewer_id == user.id)
        eligible = _at_stage(select(Submission.id)).where(Submission.id == submission.id,
                                                           _eligible_clause(user.id)).exists()
        took, now = session.execute(select(took_part, eligible)).one()
        cache[key] = bool(took or now)
        cache[("eligible",) + key] = bool(now)  # read by eligible_for_page, so a page asks once
    return cache[key]


def eligible_for_page(session, user, submission) -> bool:
    """eligible_now for showing a page, answered from what took_part_or_eligible already read in this
    request when it can. Actions (claim, save, assign) call eligible_now, which always asks afresh."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    cached = _cache(session).get(("eligible", user.id, submission.id, submission.state, submission.lock_version))
    return eligible_now(session, user, submission) if cached is None else cached


def may_review_anything(session, user) -> bool:
    """Coaches, the PD office and teachers in a PLC (the ones who can see the queue)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.has_role("coach", "pd_admin"):
        return True
    return bool(session.scalar(select(exists().where(PLCMembership.user_id == user.id))))


# --------------------------------------------------------------------------- the track


def _new_ref(session) -> str:
    while True:
        ref = "S-" + "".join(secrets.choice("23456789ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(6))
        if session.scalar(select(ReviewTrack.submission_id).where(ReviewTrack.ref == ref)) is None:
            return ref


def track_of(session, submission, *, lock: bool = False) -> ReviewTrack:
    """The submission's place in its chain (made at stage 1 if it was sent before reviews existed)."""
    from sqlalchemy.orm import joinedload

    query = select(ReviewTrack).where(ReviewTrack.submission_id == submission.id)
    if lock:
        # Serialises the people acting on one submission (a row lock on PostgreSQL, the write lock on SQLite).
        query = query.with_for_update().execution_options(populate_existing=True)
    else:
        # The chain and its stages in the same query: every page reads the stage at the track's position.
        query = query.options(joinedload(ReviewTrack.chain).joinedload(ReviewChain.stages))
    track = session.scalars(query).unique().first()
    if track is None:
        chain = chain_for(session, submission.badge)
        track = ReviewTrack(submission_id=submission.id, chain=chain,
                            position=min(submission.stage or 1, len(chain.stages)), entered_at=utcnow(),
                            ref=_new_ref(session))
        session.add(track)
        _open_visit(session, submission, track)
        session.flush()
    return track


def _open_visit(session, submission, track) -> None:
    stage = track.chain.stage_at(track.position)
    session.add(StageVisit(submission_id=submission.id, attempt_number=submission.attempt_number,
                           position=track.position, kind=stage.kind, entered_at=track.entered_at))
    sync_waiting(submission, track)


def sync_waiting(submission, track) -> None:
    """The track's waiting kind: its stage's kind while the submission is open, else none. Called wherever
    the state, the position or the chain changes, so the queue's index always agrees with the rule."""
    stage = track.chain.stage_at(track.position) if submission.state in OPEN else None
    track.waiting_kind = stage.kind if stage is not None else None


def _close_visit(session, submission, outcome: str, at: datetime) -> None:
    for visit in session.scalars(select(StageVisit).where(StageVisit.submission_id == submission.id,
                                                          StageVisit.left_at.is_(None))):
        visit.left_at, visit.outcome = at, outcome


def _event(session, submission, action: str, *, by=None, position=None, note: str = "") -> None:
    session.add(ReviewEvent(submission_id=submission.id, actor_id=getattr(by, "id", None), action=action,
                            position=position, note=note))


def _drop_claims(session, submission) -> None:
    session.execute(delete(ReviewClaim).where(ReviewClaim.submission_id == submission.id))


def _enter(session, submission, track, position: int, *, outcome: str, now: datetime | None = None) -> None:
    """Move the track to a stage, closing the time spent in the last one."""
    now = now or utcnow()
    _close_visit(session, submission, outcome, now)
    _drop_claims(session, submission)
    track.position, track.entered_at = position, now
    _open_visit(session, submission, track)
    session.flush()
    clear_cache(session)
    apply_skips(session, submission, track, now=now)
    announce(session, submission, track)


def announce(session, submission, track) -> None:
    """Tell the people who may review the submission's stage now that it is waiting (digest by default)."""
    from milepost.notifications.services import notify_review_waiting

    if submission.state not in ("submitted", "in_review"):
        return
    stage = track.chain.stage_at(track.position)
    notify_review_waiting(session, eligible_reviewers(session, submission), submission,
                          stage_label=getattr(stage, "label", ""))


def apply_skips(session, submission, track, *, now: datetime | None = None) -> int:
    """Skip stages nobody eligible could take for their stage's number of days (never the last stage)."""
    now = now or utcnow()
    skipped = 0
    while True:
        stage = track.chain.stage_at(track.position)
        last = track.position >= len(track.chain.stages)
        if stage is None or last or stage.skip_after_days is None:
            return skipped
        if now - track.entered_at < timedelta(days=stage.skip_after_days):
            return skipped
        started = session.scalar(select(func.count()).select_from(Review).where(
            Review.submission_id == submission.id, Review.attempt_number == submission.attempt_number,
            Review.position == track.position))
        if started or eligible_reviewers(session, submission):
            return skipped
        _event(session, submission, "skip_stage", position=track.position,
               note=f"{stage.label} skipped: nobody eligible to review it"
                    + (f" for {stage.skip_after_days} days." if stage.skip_after_days else "."))
        audit.record(session, "review.stage_skipped", target=submission, position=track.position, kind=stage.kind)
        _close_visit(session, submission, "skipped", now)
        track.position, track.entered_at = track.position + 1, now
        _open_visit(session, submission, track)
        session.flush()
        clear_cache(session)
        skipped += 1


def _sync_stage(session, submission, track, by) -> None:
    """Bring the evidence stage up to the track (the submission is "in review" once someone works on it)."""
    if submission.state == "submitted":
        evidence.transition(session, submission, "begin_review", by=by, stage=track.position)
    elif submission.state == "in_review" and (submission.stage or 0) < track.position:
        evidence.transition(session, submission, "advance", by=by, stage=track.position)


def follow_transition(session, submission, action: str, by) -> None:
    """Keeps each submission's track in step with the evidence state machine."""
    clear_cache(session)
    now = utcnow()
    if action == "submit":
        chain = chain_for(session, submission.badge)
        track = session.get(ReviewTrack, submission.id)
        _close_visit(session, submission, "withdrawn", now)
        if track is None:
            track = ReviewTrack(submission_id=submission.id, chain=chain, position=1, entered_at=now,
                                ref=_new_ref(session))
            session.add(track)
        else:
            track.chain, track.position, track.entered_at, track.returned_from = chain, 1, now, None
        _open_visit(session, submission, track)
        session.flush()
        apply_skips(session, submission, track, now=now)
        announce(session, submission, track)
    elif action == "resubmit":
        track = track_of(session, submission)
        position = min(track.returned_from or 1, len(track.chain.stages))
        _close_visit(session, submission, "returned", now)
        track.position, track.entered_at = position, now
        _open_visit(session, submission, track)
        _event(session, submission, "back_to_stage", position=position,
               note=f"Resubmitted: back to {track.chain.stage_at(position).label}, the stage that returned it.")
        session.flush()
        announce(session, submission, track)
    elif action == "return":
        track = session.get(ReviewTrack, submission.id)
        if track is not None:
            track.returned_from = track.position
        _close_visit(session, submission, "returned", now)
        _drop_claims(session, submission)
    elif action in ("award", "withdraw"):
        _close_visit(session, submission, "awarded" if action == "award" else "withdrawn", now)
        _drop_claims(session, submission)
    track = session.get(ReviewTrack, submission.id)
    if track is not None:
        sync_waiting(submission, track)


# --------------------------------------------------------------------------- claims


def active_claims(session, submission, track) -> list[ReviewClaim]:
    from sqlalchemy.orm import joinedload, lazyload

    return session.scalars(select(ReviewClaim).where(
        ReviewClaim.submission_id == submission.id, ReviewClaim.attempt_number == submission.attempt_number,
        ReviewClaim.position == track.position, ReviewClaim.expires_at > utcnow())
        .options(joinedload(ReviewClaim.user).options(lazyload(User.role_rows)))
        .order_by(ReviewClaim.claimed_at)).all()


def _submitted_here(session, submission, track) -> list[Review]:
    """Reviews that count for the stage now: a stage passed back to is reviewed again."""
    return session.scalars(select(Review).where(
        Review.submission_id == submission.id, Review.attempt_number == submission.attempt_number,
        Review.position == track.position, Review.status == "submitted",
        Review.submitted_at >= track.entered_at).order_by(Review.id)).all()


def _check_open(submission) -> None:
    if submission.state not in OPEN:
        raise InvalidTransition(f"This submission is {submission.state_label.lower()}: there is nothing to review now.")


def _take(session, submission, track, user, *, assigned_by=None, replace: bool = False) -> ReviewClaim:
    """The person's claim on the current stage, made if there is room (or room is made, for assignments)."""
    now = utcnow()
    stage = track.chain.stage_at(track.position)
    claims = active_claims(session, submission, track)
    own = next((c for c in claims if c.user_id == user.id), None)
    hours = timedelta(hours=float(setting("REVIEW_CLAIM_HOURS")))
    if own is not None:
        own.expires_at = now + hours
        if assigned_by is not None:
            own.assigned_by_id = assigned_by.id
        return own
    room = stage.required_reviews - len(_submitted_here(session, submission, track))
    others = [c for c in claims if c.user_id != user.id]
    if len(others) >= room:
        if not replace:
            names = ", ".join(c.user.display_name for c in others)
            raise InvalidTransition(f"Someone else is already reviewing this ({names}). "
                                    "It comes back to the queue if their claim expires.")
        for claim in others[:len(others) - room + 1]:
            _event(session, submission, "unassigned", by=assigned_by, position=track.position,
                   note=f"Claim of {claim.user.display_name} handed over.")
            session.delete(claim)
    session.execute(delete(ReviewClaim).where(
        ReviewClaim.submission_id == submission.id, ReviewClaim.user_id == user.id,
        ReviewClaim.attempt_number == submission.attempt_number, ReviewClaim.position == track.position))
    claim = ReviewClaim(submission_id=submission.id, attempt_number=submission.attempt_number,
                        position=track.position, user_id=user.id, claimed_at=now, expires_at=now + hours,
                        assigned_by_id=getattr(assigned_by, "id", None))
    session.add(claim)
    session.flush()
    return claim


def claim(session, submission, *, by) -> ReviewClaim:
    track = track_of(session, submission, lock=True)
    session.expire(submission)
    _check_open(submission)
    if not eligible_now(session, by, submission):
        raise NotAllowed("You are not one of the people who can review this submission at its current stage.")
    result = _take(session, submission, track, by)
    _event(session, submission, "claim", by=by, position=track.position)
    _sync_stage(session, submission, track, by)
    return result


def release(session, submission, *, by) -> None:
    track = track_of(session, submission, lock=True)
    count = session.execute(delete(ReviewClaim).where(
        ReviewClaim.submission_id == submission.id, ReviewClaim.user_id == by.id)).rowcount
    if count:
        _event(session, submission, "release", by=by, position=track.position)


def assign(session, submission, reviewer, *, by) -> ReviewClaim:
    """A coach or the PD office hands the current stage to a named eligible reviewer (taking over a claim if full)."""
    if not by.has_role("coach", "pd_admin"):
        raise NotAllowed("Only coaches and the PD office assign reviews.")
    track = track_of(session, submission, lock=True)
    session.expire(submission)
    _check_open(submission)
    if not by.has_role("pd_admin") and not took_part_or_eligible(by, submission):
        raise NotAllowed("Coaches assign only submissions they can review themselves.")
    if reviewer is None or not eligible_now(session, reviewer, submission):
        raise ValidationFailed("That person cannot review this submission at its current stage.")
    result = _take(session, submission, track, reviewer, assigned_by=by, replace=True)
    _event(session, submission, "assign", by=by, position=track.position, note=f"Assigned to {reviewer.display_name}.")
    audit.record(session, "review.assigned", actor=by, target=submission, reviewer_id=reviewer.id,
                 position=track.position)
    return result


def expire_claims(session, *, now: datetime | None = None) -> int:
    now = now or utcnow()
    expired = session.scalars(select(ReviewClaim).where(ReviewClaim.expires_at <= now)).all()
    for c in expired:
        session.add(ReviewEvent(submission_id=c.submission_id, action="claim_expired", position=c.position,
                                note=f"Claim of {c.user.display_name} expired."))
        session.delete(c)
    return len(expired)


# --------------------------------------------------------------------------- scoring


def rubric(submission) -> dict:
    snapshot = submission.badge_version.snapshot or {}
    data = snapshot.get("rubric") or {}
    return {"levels": list(data.get("levels") or []), "meets_level": data.get("meets_level"),
            "criteria": list(data.get("criteria") or [])}


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
    submitted = [r for r in reviews if r.status == "submitted" and r.reviewer_id != user.id]
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


def save_review(session, submission, data: ReviewInput, *, by, submit: bool) -> Review:
    """Save a draft review, or submit it: then the stage may complete and the submission move on."""
    track = track_of(session, submission, lock=True)
    session.expire(submission)  # what others committed while we waited for the lock
    if submission.state not in OPEN:
        raise InvalidTransition("This submission was decided meanwhile; your review was not needed.")
    clear_cache(session)
    stage = track.chain.stage_at(track.position)
    review = session.scalar(select(Review).where(
        Review.submission_id == submission.id, Review.attempt_number == submission.attempt_number,
        Review.position == track.position, Review.reviewer_id == by.id))
    if review is not None and review.status == "submitted" and review.submitted_at >= track.entered_at:
        raise InvalidTransition("You have already submitted your review for this stage.")
    if not eligible_now(session, by, submission):
        raise NotAllowed("You are not one of the people who can review this submission at its current stage.")
    if review is not None and review.status == "submitted":
        review.status, review.submitted_at = "draft", None  # the stage was passed back: look again
    _take(session, submission, track, by)
    if review is None:
        review = Review(submission_id=submission.id, attempt_number=submission.attempt_number,
                        position=track.position, stage_kind=stage.kind, reviewer_id=by.id)
        session.add(review)
    _fill(review, submission, stage.kind, data)
    if submit:
        problems = _problems(review, submission, stage.kind, track)
        if problems:
            raise ValidationFailed("The review is not complete yet: " + " ".join(problems), problems=problems)
    session.flush()
    _sync_stage(session, submission, track, by)
    if not submit:
        return review
    now = utcnow()
    review.status, review.submitted_at = "submitted", now
    session.execute(delete(ReviewClaim).where(ReviewClaim.submission_id == submission.id,
                                              ReviewClaim.user_id == by.id))
    session.flush()
    audit.record(session, "review.submitted", actor=by, target=submission, position=track.position,
                 kind=stage.kind, decision=review.decision)
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
    for text in (data.feedback, data.private_note):
        if len(text or "") > MAX_TEXT:
            raise ValidationFailed(f"Feedback can be at most {MAX_TEXT:,} characters.")
    review.decision = data.decision or (DECISIONS[kind][0] if len(DECISIONS[kind]) == 1 else None)
    review.feedback = (data.feedback or "").strip()
    review.private_note = (data.private_note or "").strip()
    existing = {s.criterion_index: s for s in review.scores}
    for index, criterion in enumerate(criteria):
        given = data.scores.get(index) or {}
        level = given.get("level")
        if level is not None and (kind not in DECIDING or not 0 <= int(level) < len(levels)):
            raise ValidationFailed(f"Choose one of the rubric's levels for “{criterion['name']}”.")
        texts = {k: (given.get(k) or "").strip()[:MAX_TEXT] for k in ("glow", "grow", "comment")}
        score = existing.get(index)
        if score is None:
            if level is None and not any(texts.values()):
                continue
            score = ReviewScore(criterion_index=index, criterion=criterion["name"][:200])
            review.scores.append(score)
        score.level = None if level is None else int(level)
        score.glow, score.grow, score.comment = texts["glow"], texts["grow"], texts["comment"]


def _problems(review: Review, submission, kind: str, track) -> list[str]:
    problems = []
    criteria = rubric(submission)["criteria"]
    scored = {s.criterion_index: s for s in review.scores}
    if kind == "peer":
        for index, criterion in enumerate(criteria):
            s = scored.get(index)
            if s is None or not (s.glow or s.grow):
                problems.append(f"Give a glow or a grow for “{criterion['name']}”.")
        if not criteria and not review.feedback:
            problems.append("Write your feedback for the teacher.")
    if kind in DECIDING:
        for index, criterion in enumerate(criteria):
            if scored.get(index) is None or scored[index].level is None:
                problems.append(f"Choose a level for “{criterion['name']}”.")
    if review.decision is None:
        problems.append("Choose your decision.")
    if review.decision in ("not_yet", "incomplete") and not review.feedback:
        problems.append("Say what the teacher should work on: feedback is required for “not yet”."
                        if review.decision == "not_yet" else "Say what is missing, so the teacher can add it.")
    if review.decision == "pass_back":
        if track.position <= 1 or track.chain.stage_at(track.position - 1).kind == "completeness":
            problems.append("There is no earlier review stage to pass it back to.")
        if not review.private_note:
            problems.append("Say in the note for reviewers why you are passing it back.")
    return problems


def _recognise(session, review: Review, submission) -> None:
    amount = int(setting("REVIEW_POINTS") or 0)
    if amount <= 0:
        return
    from milepost.points import services as points

    points.credit(session, user_id=review.reviewer_id, kind="review", amount=amount, source=f"review:{review.id}",
                  by=None, reason=f"{STAGE_LABELS[review.stage_kind]}: {submission.badge.title}")
    points.evaluate_tiers(session, review.reviewer_id)


def _complete_stage(session, submission, track, stage, reviews: list[Review], by) -> None:
    decisions = {r.decision for r in reviews}
    last = track.position >= len(track.chain.stages)
    if "not_yet" in decisions or "incomplete" in decisions:
        evidence.transition(session, submission, "return", by=by, note=compose_feedback(session, submission))
    elif "pass_back" in decisions:
        back = track.position - 1
        earlier = session.scalars(select(Review).where(
            Review.submission_id == submission.id, Review.attempt_number == submission.attempt_number,
            Review.position == back, Review.status == "submitted")).all()
        _event(session, submission, "pass_back", by=by, position=back,
               note=f"Passed back to {track.chain.stage_at(back).label}.")
        if (submission.stage or 0) > back >= 1:
            evidence.transition(session, submission, "send_back", by=by, stage=back)
        # The earlier stage's reviewers look again (their reviews reopen when they save); the work is theirs.
        _enter(session, submission, track, back, outcome="passed_back")
        hours = timedelta(hours=float(setting("REVIEW_CLAIM_HOURS")))
        for r in earlier:
            session.add(ReviewClaim(submission_id=submission.id, attempt_number=submission.attempt_number,
                                    position=back, user_id=r.reviewer_id, claimed_at=utcnow(),
                                    expires_at=utcnow() + hours, assigned_by_id=by.id))
    elif last:
        evidence.transition(session, submission, "award", by=by, note=compose_feedback(session, submission))
    else:
        _enter(session, submission, track, track.position + 1, outcome="advanced")
        _sync_stage(session, submission, track, by)


# --------------------------------------------------------------------------- what the teacher reads


def show_names() -> bool:
    return not setting("REVIEW_ANONYMOUS")


def teacher_feedback(session, submission, attempt_number: int) -> list[Review]:
    """Submitted reviews of one attempt, chain order (private notes are never shown to the teacher)."""
    return session.scalars(select(Review).where(
        Review.submission_id == submission.id, Review.attempt_number == attempt_number,
        Review.status == "submitted").options(selectinload(Review.reviewer))
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
        decision = {"meets": "meets", "not_yet": "not yet", "incomplete": "something is missing",
                    "pass": "", "complete": "complete"}.get(review.decision, "")
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


# --------------------------------------------------------------------------- the queue


@dataclass
class QueueFilters:
    badge_id: int | None = None
    school_id: int | None = None
    stage: str | None = None
    waiting_days: int | None = None


@dataclass
class QueueRow:
    submission: Submission
    track: ReviewTrack
    stage: ReviewStage
    claims: list[ReviewClaim]
    done: int

    @property
    def waiting(self) -> timedelta:
        return utcnow() - self.track.entered_at

    @property
    def taken(self) -> bool:
        return len(self.claims) + self.done >= self.stage.required_reviews

    def mine(self, user) -> bool:
        return any(c.user_id == user.id for c in self.claims)


def queue(session, user, filters: QueueFilters | None = None, *, limit: int = 500,
          after: int | None = None) -> list[QueueRow]:
    """What this person may review now, oldest first; `after` a submission id continues from it (keyset
    pagination). A fixed number of queries whatever its length, and, through the waiting index, work
    proportional to the rows shown rather than to everything open in the district (issue 13)."""
    filters = filters or QueueFilters()
    kinds = [k for k in STAGE_KINDS if k in _kinds_for(user)]
    if filters.stage:
        kinds = [k for k in kinds if k == filters.stage]
    keys = []
    for kind in kinds:
        query = _waiting(kind, filters, after).where(_eligible_clause(user.id))
        if kind == "peer":
            # Only colleagues in one of the reviewer's PLCs can be peer-reviewed by them: start from those.
            mine, theirs = aliased(PLCMembership), aliased(PLCMembership)
            query = query.where(Submission.user_id.in_(
                select(theirs.user_id).join(mine, mine.plc_id == theirs.plc_id).where(mine.user_id == user.id)))
        keys += session.execute(query.limit(limit)).all()
    return _load_rows(session, sorted(keys)[:limit])


def _kinds_for(user) -> set[str]:
    """The stage kinds a person could ever take, from their roles (the rule itself decides each item)."""
    kinds = {"peer"}  # anyone in a PLC; the query starts from the PLC's members
    if user.has_role("coach"):
        kinds.add("coach")
    if user.has_role("pd_admin"):
        kinds |= {"district", "completeness"}
    return kinds


def _waiting(kind: str, filters: QueueFilters, after: int | None):
    """(entered_at, submission id) of the open submissions waiting at a stage of `kind`, oldest first,
    read along ix_review_track_waiting."""
    T = ReviewTrack
    query = (_at_stage(select(T.entered_at, T.submission_id).select_from(Submission))
             .where(T.waiting_kind == kind, Submission.state.in_(OPEN)))
    if after is not None:
        cursor = aliased(ReviewTrack)
        mark = select(cursor.entered_at).where(cursor.submission_id == after).scalar_subquery()
        query = query.where(or_(T.entered_at > mark, and_(T.entered_at == mark, T.submission_id > after)))
    if filters.badge_id:
        query = query.where(Submission.badge_id == filters.badge_id)
    if filters.school_id:
        query = query.where(Submission.user_id.in_(select(User.id).where(User.school_id == filters.school_id)))
    if filters.waiting_days:
        query = query.where(T.entered_at <= utcnow() - timedelta(days=filters.waiting_days))
    return query.order_by(T.entered_at, T.submission_id)


def _load_rows(session, keys) -> list[QueueRow]:
    """The submissions of the chosen keys with what the queue shows, in one query (the earners' roles are
    not needed), then their claims and counts."""
    from sqlalchemy.orm import joinedload, lazyload

    ids = [sid for _at, sid in keys]
    loaded = session.execute(
        _at_stage(select(Submission, ReviewTrack, ReviewStage)).where(Submission.id.in_(ids))
        .options(joinedload(Submission.badge),
                 joinedload(Submission.user).options(joinedload(User.school), lazyload(User.role_rows)))).all()
    by_id = {row[0].id: tuple(row) for row in loaded}
    return _with_claims(session, [by_id[sid] for sid in ids if sid in by_id])


def _with_claims(session, rows) -> list[QueueRow]:
    from sqlalchemy.orm import joinedload, lazyload

    ids = [s.id for s, _t, _g in rows]
    claims, done = defaultdict(list), defaultdict(int)
    # Run even when empty, so a page's query count does not depend on what it shows.
    for c in session.scalars(select(ReviewClaim).where(ReviewClaim.submission_id.in_(ids),
                                                       ReviewClaim.expires_at > utcnow())
                             .options(joinedload(ReviewClaim.user).options(lazyload(User.role_rows)))
                             .order_by(ReviewClaim.claimed_at)):
        claims[(c.submission_id, c.attempt_number, c.position)].append(c)
    for sid, attempt, position, count in session.execute(
            select(Review.submission_id, Review.attempt_number, Review.position, func.count())
            .where(Review.submission_id.in_(ids), Review.status == "submitted")
            .group_by(Review.submission_id, Review.attempt_number, Review.position)):
        done[(sid, attempt, position)] = count
    return [QueueRow(s, t, g, claims[(s.id, s.attempt_number, t.position)], done[(s.id, s.attempt_number, t.position)])
            for s, t, g in rows]


def overview(session, filters: QueueFilters | None = None, *, limit: int = 500) -> list[QueueRow]:
    """For the PD office: everything in a chain now, oldest first (one index walk per stage kind)."""
    filters = filters or QueueFilters()
    kinds = [filters.stage] if filters.stage else list(STAGE_KINDS)
    keys = []
    for kind in kinds:
        keys += session.execute(_waiting(kind, filters, None).limit(limit)).all()
    return _load_rows(session, sorted(keys)[:limit])


def ensure_tracks(session) -> int:
    """Submissions sent before this feature existed (or while it was off) join their chain at stage 1."""
    missing = session.scalars(select(Submission).where(
        Submission.state.in_(OPEN), ~exists().where(ReviewTrack.submission_id == Submission.id))).all()
    for submission in missing:
        track_of(session, submission)
    return len(missing)


# --------------------------------------------------------------------------- reminders


@dataclass
class ReminderReport:
    skipped: int = 0
    expired: int = 0
    reviewer_mails: int = 0
    admin_mails: int = 0
    already_sent: int = 0


def target_days(kind: str) -> float:
    return float(setting("REVIEW_COMPLETENESS_TARGET_DAYS") if kind == "completeness" else setting("REVIEW_TARGET_DAYS"))


def send_reminders(session, *, now: datetime | None = None) -> ReminderReport:
    """Skip stages nobody can take, expire claims, then one reminder per reviewer and per PD admin per day,
    through notifications (kinds review_reminder and review_stuck: each person's email choice applies)."""
    from milepost.notifications.services import notify_review_reminder, notify_reviews_stuck

    now = now or utcnow()
    report = ReminderReport()
    ensure_tracks(session)
    report.expired = expire_claims(session, now=now)
    rows = overview(session, limit=100000)
    for row in rows:
        report.skipped += apply_skips(session, row.submission, row.track, now=now)
    rows = overview(session, limit=100000)
    waiting: dict[int, list[QueueRow]] = defaultdict(list)
    stuck: list[tuple[QueueRow, str]] = []
    people: dict[int, User] = {}
    for row in rows:
        age = now - row.track.entered_at
        if age > timedelta(days=target_days(row.stage.kind)):
            holders = [c.user for c in row.claims]
            candidates = holders or eligible_reviewers(session, row.submission)
            for person in candidates:
                people[person.id] = person
                waiting[person.id].append(row)
            if not candidates:
                stuck.append((row, "nobody is eligible to review it"))
        if age > timedelta(days=float(setting("REVIEW_STUCK_DAYS"))) and not any(r is row for r, _ in stuck):
            stuck.append((row, f"waiting {age.days} days at {row.stage.label.lower()}"))
    day = now.date()

    def once(user_id: int, kind: str, count: int) -> bool:
        try:
            with session.begin_nested():
                session.add(ReminderSent(user_id=user_id, kind=kind, day=day, items=count, sent_at=now))
        except IntegrityError:
            report.already_sent += 1
            return False
        return True

    for user_id, items in waiting.items():
        person = people[user_id]
        if not person.active or not once(user_id, "reviewer", len(items)):
            continue
        notify_review_reminder(session, person, [
            {"label": f"{_label_for(row)}: {row.submission.badge.title}, {row.stage.label.lower()}",
             "url": _review_path(row), "days": (now - row.track.entered_at).days} for row in items])
        report.reviewer_mails += 1
    if stuck:
        admins = session.scalars(select(User).join(UserRole).where(UserRole.role == "pd_admin",
                                                                   User.active.is_(True))).all()
        lines = [{"label": f"{_label_for(row)}: {row.submission.badge.title}: {why}", "url": _review_path(row),
                  "days": None} for row, why in stuck]
        for admin in admins:
            if not once(admin.id, "stuck", len(stuck)):
                continue
            notify_reviews_stuck(session, admin, lines)
            report.admin_mails += 1
    return report


def _review_path(row: QueueRow) -> str:
    from milepost.notifications.delivery import path_for

    return path_for("reviews.review", submission_id=row.submission.id)


def _label_for(row: QueueRow) -> str:
    return row.track.ref if not show_names() else row.submission.user.display_name


# --------------------------------------------------------------------------- calibration and quality


def anchor_attempt(submission) -> int | None:
    decided = [a.number for a in submission.attempts if a.outcome in ("awarded", "returned")]
    return max(decided) if decided else None


def mark_anchor(session, submission, *, by, note: str = "") -> Anchor:
    if not by.has_role("pd_admin"):
        raise NotAllowed("Only the PD office marks anchor submissions.")
    number = anchor_attempt(submission)
    if number is None:
        raise InvalidTransition("Only a decided submission can be an anchor: reviewers compare it with its scores.")
    anchor = session.scalar(select(Anchor).where(Anchor.submission_id == submission.id))
    if anchor is None:
        anchor = Anchor(submission_id=submission.id, attempt_number=number)
        session.add(anchor)
    anchor.attempt_number, anchor.note, anchor.marked_by_id = number, (note or "").strip()[:2000], by.id
    session.flush()
    audit.record(session, "review.anchor_marked", actor=by, target=submission, attempt=number)
    return anchor


def unmark_anchor(session, anchor: Anchor, *, by) -> None:
    audit.record(session, "review.anchor_removed", actor=by, target=anchor.submission)
    session.delete(anchor)


def anchors(session) -> list[Anchor]:
    return session.scalars(select(Anchor).options(selectinload(Anchor.submission).selectinload(Submission.badge))
                           .order_by(Anchor.marked_at.desc())).all()


@dataclass
class Agreement:
    badge: str
    criterion: str
    pairs: int
    exact: int

    @property
    def percent(self) -> int:
        return round(100 * self.exact / self.pairs) if self.pairs else 0


def agreement(session) -> list[Agreement]:
    """Percent exact agreement per criterion where two reviewers scored the same attempt."""
    from milepost.badges.models import Badge

    rows = session.execute(
        select(Badge.title, Review.submission_id, Review.attempt_number, Review.id, ReviewScore.criterion_index,
               ReviewScore.criterion, ReviewScore.level)
        .join(Review, Review.id == ReviewScore.review_id).join(Submission, Submission.id == Review.submission_id)
        .join(Badge, Badge.id == Submission.badge_id)
        .where(Review.status == "submitted", ReviewScore.level.is_not(None))).all()
    levels: dict[tuple, dict[int, int]] = defaultdict(dict)
    names = {}
    for title, sid, attempt, rid, index, name, level in rows:
        levels[(title, sid, attempt, index)][rid] = level
        names[(title, index)] = name
    table: dict[tuple, Agreement] = {}
    for (title, _sid, _attempt, index), by_review in levels.items():
        values = list(by_review.values())
        if len(values) < 2:
            continue
        entry = table.setdefault((title, index), Agreement(title, names[(title, index)], 0, 0))
        for i in range(len(values)):
            for j in range(i + 1, len(values)):
                entry.pairs += 1
                entry.exact += values[i] == values[j]
    return [table[k] for k in sorted(table)]


@dataclass
class ReviewerStats:
    user: User
    reviews: int
    hours: float
    decided: int
    not_yet: int

    @property
    def not_yet_rate(self) -> int | None:
        return round(100 * self.not_yet / self.decided) if self.decided else None


def reviewer_stats(session) -> list[ReviewerStats]:
    rows = session.execute(select(Review.reviewer_id, Review.decision, Review.started_at, Review.submitted_at)
                           .where(Review.status == "submitted")).all()
    acc: dict[int, list] = defaultdict(lambda: [0, 0.0, 0, 0])
    for uid, decision, started, submitted in rows:
        a = acc[uid]
        a[0] += 1
        a[1] += max((submitted - started).total_seconds(), 0) / 3600
        if decision in ("meets", "not_yet"):
            a[2] += 1
            a[3] += decision == "not_yet"
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_(list(acc))))} if acc else {}
    result = [ReviewerStats(users[uid], a[0], round(a[1] / a[0], 1), a[2], a[3]) for uid, a in acc.items()]
    return sorted(result, key=lambda s: s.user.display_name)


def stage_turnaround(session) -> list[tuple[str, int, float]]:
    """(stage label, visits, average days) over the time spent in each kind of stage."""
    rows = session.execute(select(StageVisit.kind, StageVisit.entered_at, StageVisit.left_at)
                           .where(StageVisit.left_at.is_not(None))).all()
    acc: dict[str, list] = defaultdict(lambda: [0, 0.0])
    for kind, entered, left in rows:
        acc[kind][0] += 1
        acc[kind][1] += (left - entered).total_seconds() / 86400
    return [(STAGE_LABELS[k], acc[k][0], round(acc[k][1] / acc[k][0], 1)) for k in STAGE_KINDS if k in acc]


def events_of(session, submission) -> list[ReviewEvent]:
    return session.scalars(select(ReviewEvent).where(ReviewEvent.submission_id == submission.id)
                           .order_by(ReviewEvent.id)).all()


def submission_or_404(session, submission_id: int) -> Submission:
    submission = evidence.load_submission(session, submission_id)
    if submission is None:
        raise NotFound("We could not find that submission.")
    return submission

