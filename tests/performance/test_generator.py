"""The benchmark district generator (`milepost seed-demo --scale N`) makes the volumes the performance
targets ask for, in proportion, and leaves every pre-aggregated figure in step with the rows it wrote."""
from __future__ import annotations

from sqlalchemy import func, select

from milepost.extensions import db

TEACHERS = 40


def test_the_generator_writes_the_issue_volumes_in_proportion_and_consistent_totals(app):
    from milepost import demo_large
    from milepost.accounts.models import User
    from milepost.awards.models import Award
    from milepost.awards.services import check_earners
    from milepost.demo import seed
    from milepost.evidence.models import Attempt, EvidenceItem, Submission
    from milepost.points import services as points
    from milepost.points import standings
    from milepost.points.models import LedgerEntry
    from milepost.reviews.models import ReviewTrack

    seed(db.session)
    db.session.commit()
    before = {m: db.session.scalar(select(func.count()).select_from(m)) for m in (Submission, Award, LedgerEntry)}
    shape = demo_large.generate(TEACHERS, progress=False)["shape"]
    db.session.remove()

    def added(model):
        return db.session.scalar(select(func.count()).select_from(model)) - before[model]

    assert shape.submissions == 12 * TEACHERS and added(Submission) == shape.submissions
    # Every state, in the fixed shares: exactly half awarded, hence exactly that many awards.
    states = dict(db.session.execute(select(Submission.state, func.count()).join(User, User.id == Submission.user_id)
                                     .where(User.email.like(f"%@{demo_large.EMAIL_DOMAIN}"))
                                     .group_by(Submission.state)).all())
    assert states == {state: round(share * shape.submissions) for state, share in demo_large.STATES}
    assert added(Award) == shape.submissions // 2
    assert added(LedgerEntry) == shape.ledger == 40 * TEACHERS
    # Every attempt of a generated submission has its evidence.
    bare = db.session.scalar(select(func.count()).select_from(Attempt).join(Submission).where(
        ~select(EvidenceItem.id).where(EvidenceItem.attempt_id == Attempt.id).exists()))
    assert bare == 0
    assert points.verify(db.session) == [] and standings.check(db.session) == []
    assert check_earners(db.session) == []
    for track, state in db.session.execute(select(ReviewTrack, Submission.state).join(Submission)):
        assert (track.waiting_kind is not None) == (state in ("submitted", "in_review"))
