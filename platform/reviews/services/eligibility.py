"""Who may review a submission at its stage: one SQL rule, used by the queue, the pages, is_reviewer and
reviews.access, and the answers kept for the length of a read."""
from __future__ import annotations

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import aliased

from milepost.accounts.models import PLCMembership, User, UserRole
from milepost.core.access import Role
from milepost.evidence.models import Submission
from milepost.reviews.models import Review, ReviewStage, ReviewStatus, ReviewTrack, StageKind
from milepost.reviews.services.chains import OPEN, setting


def _eligible_clause(uid):
    """SQL: person `uid` (a bound id or User.id) may review the submission at its stage.

    The caller's query joins Submission, ReviewTrack and ReviewStage (the stage at Submission.stage in the
    track's chain), as _at_stage does."""
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

    kind_ok = or_(and_(G.kind == StageKind.PEER, peer_ok),
                  and_(G.kind == StageKind.COACH, has_role("coach")),
                  and_(G.kind.in_((StageKind.DISTRICT, StageKind.COMPLETENESS)), has_role("pd_admin")))
    earlier = aliased(Review)
    # Nobody reviews one submission at two stages (a completeness check is not a judgement, so it does not count).
    other_stage = exists().where(earlier.submission_id == S.id, earlier.reviewer_id == uid,
                                 earlier.position != S.stage, earlier.stage_kind != StageKind.COMPLETENESS)
    # Someone whose review already counts for this stage has nothing more to do here.
    done_here = exists().where(earlier.submission_id == S.id, earlier.reviewer_id == uid,
                               earlier.attempt_number == S.attempt_number, earlier.position == S.stage,
                               earlier.status == ReviewStatus.SUBMITTED, earlier.submitted_at >= T.entered_at)
    return and_(S.user_id != uid, S.state.in_(OPEN), kind_ok, or_(G.kind == StageKind.COMPLETENESS, ~other_stage),
                ~done_here)


def _at_stage(query):
    """The query (which selects from Submission) joined to the submission's track and the stage it is at."""
    return (query.join(ReviewTrack, ReviewTrack.submission_id == Submission.id)
            .join(ReviewStage, and_(ReviewStage.chain_id == ReviewTrack.chain_id,
                                    ReviewStage.position == Submission.stage)))


def eligible_now(session, user, submission) -> bool:
    """May take the submission's stage now (asked afresh: actions call this, pages eligible_for_page)."""
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
    staff = select(UserRole.user_id).where(UserRole.role.in_((Role.COACH, Role.PD_ADMIN)))
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


