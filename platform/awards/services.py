"""Issuing and revoking awards. Other features hear of them through the award_issued and award_revoked
signals (points, credentials, notifications), inside the same transaction."""
from __future__ import annotations

from sqlalchemy import delete, event, exists, func, insert, inspect, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from milepost.awards.models import Award, AwardHow, BadgeEarners
from milepost.core import audit, signals
from milepost.core.errors import InvalidTransition, ValidationFailed
from milepost.core.model import utcnow


def issue_award(session, *, user_id: int, badge, version, by=None, submission=None, how: str = AwardHow.EARNED,
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
    signals.award_issued.send(award, session=session)
    return award, True


def revoke_award(session, award: Award, *, reason: str, by) -> Award:
    if award.revoked_at is not None:
        raise InvalidTransition("This award is already revoked.")
    if not (reason or "").strip():
        raise ValidationFailed("Give the reason for revoking: the earner and verifiers will see that it was revoked.")
    award.revoked_at, award.revoked_reason, award.revoked_by_id = utcnow(), reason.strip(), by.id
    audit.record(session, "award.revoked", actor=by, target=award, reason=reason.strip())
    session.flush()
    signals.award_revoked.send(award, session=session)
    return award


def active_filter():
    return Award.revoked_at.is_(None) & ((Award.expires_at.is_(None)) | (Award.expires_at > utcnow()))


def earner_counts(session, badge_ids) -> dict[int, int]:
    """People holding each badge now (an active award of any version), for the badges that have any: the
    stored count of holders through awards that never expire, plus those holding it only through an award
    with an expiry that has not passed, counted now. One query, whatever the number of awards."""
    if not badge_ids:
        return {}
    other = aliased(Award)
    for_good = exists().where(other.badge_id == Award.badge_id, other.user_id == Award.user_id,
                              other.revoked_at.is_(None), other.expires_at.is_(None))
    until_later = (select(func.count(func.distinct(Award.user_id)))
                   .where(Award.badge_id == BadgeEarners.badge_id, Award.revoked_at.is_(None),
                          Award.expires_at > utcnow(), ~for_good).scalar_subquery())
    rows = session.execute(select(BadgeEarners.badge_id, BadgeEarners.holders + func.coalesce(until_later, 0))
                           .where(BadgeEarners.badge_id.in_(list(badge_ids))))
    return {badge_id: n for badge_id, n in rows if n}


def _holders(badge_id):
    return (select(func.count(func.distinct(Award.user_id)))
            .where(Award.badge_id == badge_id, Award.revoked_at.is_(None), Award.expires_at.is_(None))
            .scalar_subquery())


def recount_earners(connection, badge_id: int) -> None:
    """Set the badge's stored holder count from its awards. The row is locked first, so that on PostgreSQL
    the count (a later statement, hence a later snapshot) includes what a concurrent award committed."""
    table = BadgeEarners.__table__
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as upsert
    else:
        from sqlalchemy.dialects.sqlite import insert as upsert
    connection.execute(upsert(table).values(badge_id=badge_id, holders=0).on_conflict_do_nothing())
    connection.execute(select(table.c.holders).where(table.c.badge_id == badge_id).with_for_update())
    connection.execute(update(table).where(table.c.badge_id == badge_id).values(holders=_holders(badge_id)))


def _award_written(_mapper, connection, award) -> None:
    state = inspect(award)
    if state.attrs.revoked_at.history.has_changes() or state.attrs.expires_at.history.has_changes() \
            or state.attrs.badge_id.history.has_changes():
        recount_earners(connection, award.badge_id)


def _award_added(_mapper, connection, award) -> None:
    recount_earners(connection, award.badge_id)


def listen() -> None:
    """Keep the badge holder counts in step with every award written through the ORM (once per process);
    bulk writes (the generator) call rebuild_earners."""
    for name, fn in (("after_insert", _award_added), ("after_update", _award_written)):
        if not event.contains(Award, name, fn):
            event.listen(Award, name, fn)


def expected_earners(session) -> dict[int, int]:
    rows = session.execute(select(Award.badge_id, func.count(func.distinct(Award.user_id)))
                           .where(Award.revoked_at.is_(None), Award.expires_at.is_(None)).group_by(Award.badge_id))
    return dict(rows.all())


def check_earners(session) -> list[str]:
    """Every stored holder count that differs from the awards, in words (`milepost points verify`)."""
    want = expected_earners(session)
    have = dict(session.execute(select(BadgeEarners.badge_id, BadgeEarners.holders)).all())
    return [f"badge {b}: holders stored {have.get(b, 0)}, awards {want.get(b, 0)}"
            for b in sorted(set(want) | set(have)) if want.get(b, 0) != have.get(b, 0)]


def rebuild_earners(session) -> None:
    """Recount every badge's holders in bulk (the generator, `milepost points verify --repair`)."""
    from milepost.badges.models import Badge

    want = expected_earners(session)
    session.execute(delete(BadgeEarners))
    rows = [{"badge_id": b, "holders": want.get(b, 0)} for b in session.scalars(select(Badge.id))]
    if rows:
        session.execute(insert(BadgeEarners), rows)


def go_to_people(session, badge_id: int, limit: int) -> list:
    from sqlalchemy.orm import joinedload, lazyload

    from milepost.accounts.models import User

    # The badge page shows each person's school: joined into the same query (so the page costs the same
    # whether or not anyone has a school); their roles (selectin by default on User) are not shown there.
    return session.scalars(select(User).join(Award, Award.user_id == User.id)
                           .where(Award.badge_id == badge_id, Award.go_to.is_(True), active_filter(),
                                  User.active.is_(True))
                           .options(joinedload(User.school), lazyload(User.role_rows))
                           .order_by(User.display_name).limit(limit)).all()


def awards_of(session, user) -> list[Award]:
    """The person's awards, newest first, each with its badge and version joined in (one query)."""
    from sqlalchemy.orm import joinedload

    return session.scalars(select(Award).where(Award.user_id == user.id)
                           .options(joinedload(Award.badge), joinedload(Award.badge_version))
                           .order_by(Award.issued_at.desc())).all()
