"""Issuing and revoking awards. Other features listen through `on_issued` and `on_revoked`
(points, credentials, notifications), inside the same transaction."""
from __future__ import annotations

from typing import Callable

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from milepost.awards.models import Award
from milepost.core import audit
from milepost.core.errors import InvalidTransition, ValidationFailed
from milepost.core.model import utcnow

on_issued: list[Callable] = []   # fn(session, award)
on_revoked: list[Callable] = []  # fn(session, award)


def issue_award(session, *, user_id: int, badge, version, by=None, submission=None, how: str = "earned",
                note: str = "") -> tuple[Award, bool]:
    """The award for this person and badge version, and whether it was made now.

    The unique key (user, badge version) decides: two approvals at the same moment make one award,
    and the loser of the race gets the winner's row back."""
    existing = session.scalar(select(Award).where(Award.user_id == user_id, Award.badge_version_id == version.id))
    if existing is not None:
        return existing, False
    award = Award(user_id=user_id, badge_id=badge.id, badge_version_id=version.id, how=how, note=note or "",
                  submission_id=getattr(submission, "id", None), issued_by_id=getattr(by, "id", None))
    try:
        with session.begin_nested():
            session.add(award)
    except IntegrityError:
        existing = session.scalar(select(Award).where(Award.user_id == user_id,
                                                      Award.badge_version_id == version.id))
        if existing is None:
            raise
        return existing, False
    audit.record(session, "award.issued", actor=by, target=award, how=how, badge=badge.slug, user_id=user_id)
    for listener in on_issued:
        listener(session, award)
    return award, True


def revoke_award(session, award: Award, *, reason: str, by) -> Award:
    if award.revoked_at is not None:
        raise InvalidTransition("This award is already revoked.")
    if not (reason or "").strip():
        raise ValidationFailed("Give the reason for revoking: the earner and verifiers will see that it was revoked.")
    award.revoked_at, award.revoked_reason, award.revoked_by_id = utcnow(), reason.strip(), by.id
    audit.record(session, "award.revoked", actor=by, target=award, reason=reason.strip())
    session.flush()
    for listener in on_revoked:
        listener(session, award)
    return award


def active_filter():
    return Award.revoked_at.is_(None) & ((Award.expires_at.is_(None)) | (Award.expires_at > utcnow()))


def earned_badge_ids(session, user) -> tuple[set[int], set[int]]:
    """For the catalogue: (nothing in progress, badges this person holds)."""
    ids = session.scalars(select(Award.badge_id).where(Award.user_id == user.id, active_filter())).all()
    return set(), set(ids)


def earner_counts(session, badge_ids) -> dict[int, int]:
    if not badge_ids:
        return {}
    rows = session.execute(select(Award.badge_id, func.count(func.distinct(Award.user_id)))
                           .where(Award.badge_id.in_(list(badge_ids)), active_filter()).group_by(Award.badge_id))
    return dict(rows.all())


def go_to_people(session, badge_id: int, limit: int) -> list:
    from milepost.accounts.models import User

    from sqlalchemy.orm import lazyload, selectinload

    # The badge page shows each person's school: loaded in one query, not one per person; their roles
    # (selectin by default on User) are not shown there, so they are not loaded.
    return session.scalars(select(User).join(Award, Award.user_id == User.id)
                           .where(Award.badge_id == badge_id, Award.go_to.is_(True), active_filter(),
                                  User.active.is_(True))
                           .options(selectinload(User.school), lazyload(User.role_rows))
                           .order_by(User.display_name).limit(limit)).all()


def after_transition(session, submission, action: str, by) -> None:
    """A submission decided "meets" becomes an award in the same transaction."""
    if action == "award":
        issue_award(session, user_id=submission.user_id, badge=submission.badge, version=submission.badge_version,
                    by=by, submission=submission)


def awards_of(session, user) -> list[Award]:
    from sqlalchemy.orm import selectinload

    return session.scalars(select(Award).where(Award.user_id == user.id)
                           .options(selectinload(Award.badge), selectinload(Award.badge_version))
                           .order_by(Award.issued_at.desc())).all()
