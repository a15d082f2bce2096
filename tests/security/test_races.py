"""Unique-key races answer like the winner's rule: parallel requests on PostgreSQL (SQLite lets one writer in at
a time, so there nothing can race). Reward claims, badge starts and direct awards: one row, no 500."""
import threading

import pytest
from sqlalchemy import func, select

from milepost.awards.models import Award
from milepost.evidence.models import Submission
from milepost.extensions import db
from milepost.points import services as points
from milepost.points.models import RewardClaim
from tests.helpers.app import login

PARALLEL = 6


@pytest.fixture
def postgres_only(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("Needs PostgreSQL: SQLite lets one writer in at a time, so two requests cannot race there")


def at_once(app, email: str, method: str, url: str, data=None) -> list[int]:
    """PARALLEL signed-in clients of the same person send the same request at the same moment."""
    clients = []
    for _ in range(PARALLEL):
        client = app.test_client()
        assert login(client, email).status_code == 302
        clients.append(client)
    barrier, statuses = threading.Barrier(PARALLEL), []

    def send(client):
        barrier.wait(timeout=10)
        try:
            statuses.append(client.open(url, method=method, data=data or {}).status_code)
        except Exception as exc:  # noqa: BLE001 - shown in the assertion instead of dying in the thread
            statuses.append(f"raised {exc!r}")

    threads = [threading.Thread(target=send, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return statuses


def test_parallel_reward_claims_make_one_claim_and_the_others_409(postgres_only, app, make_user):
    teacher = make_user("teacher")
    reward = points.save_reward(db.session, None, name="Conference pass", description="", points_needed=0,
                                tier=None, active=True, actor=None)
    db.session.commit()
    for _ in range(3):  # a race is not certain to overlap every time; three rounds make a loser near certain
        statuses = at_once(app, teacher.email, "POST", f"/points/rewards/{reward.id}/claim")
        assert all(s in (302, 409) for s in statuses), statuses
        db.session.expire_all()
        claims = db.session.scalar(select(func.count()).select_from(RewardClaim)
                                   .where(RewardClaim.reward_id == reward.id))
        assert claims == 1
        db.session.execute(RewardClaim.__table__.delete())
        db.session.commit()


def test_parallel_starts_of_a_badge_make_one_submission(postgres_only, app, make_user, make_badge):
    teacher = make_user("teacher")
    badge = make_badge("race-badge")
    statuses = at_once(app, teacher.email, "POST", f"/badges/{badge.slug}/start")
    assert statuses == [302] * PARALLEL, statuses
    db.session.expire_all()
    count = db.session.scalar(select(func.count()).select_from(Submission).where(Submission.badge_id == badge.id))
    assert count == 1


def test_parallel_direct_awards_to_the_same_person_make_one_award(postgres_only, app, make_user, make_badge):
    from milepost.accounts.models import User
    from milepost.badges.models import Badge

    teacher = make_user("teacher")
    admins = [make_user("pd_admin").id for _ in range(PARALLEL)]
    badge_id, teacher_id = make_badge("pd-day").id, teacher.id
    barrier, results = threading.Barrier(PARALLEL), []

    def work(admin_id):
        with app.app_context():
            try:
                badge = db.session.get(Badge, badge_id)
                people = [db.session.get(User, teacher_id)]
                barrier.wait(timeout=10)
                made, held = points.direct_award(db.session, badge=badge, people=people, reason="PD day",
                                                 by=db.session.get(User, admin_id))
                db.session.commit()
                results.append("made" if made else "held")
            except Exception as exc:  # noqa: BLE001
                db.session.rollback()
                results.append(f"raised {exc!r}")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=work, args=(a,)) for a in admins]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(results) == ["held"] * (PARALLEL - 1) + ["made"], results
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Award).where(Award.user_id == teacher_id)) == 1
