"""Two final approvals at the same moment, from two threads with their own sessions (PostgreSQL):
exactly one award, its points once, and the submission never left stuck."""
import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm.exc import StaleDataError

from milepost.accounts.models import User
from milepost.awards.models import Award
from milepost.core.errors import DomainError
from milepost.evidence.models import Submission
from milepost.extensions import db
from milepost.points.models import LedgerEntry
from milepost.reviews import services
from tests.helpers.reviews import fresh, review_input


def at_once(app, submission_id: int, user_ids: list[int]) -> list[str]:
    """Each thread submits a "meets" review for its user at the same moment; returns what happened."""
    barrier = threading.Barrier(len(user_ids))
    results = []

    def work(user_id):
        with app.app_context():
            try:
                user = db.session.get(User, user_id)
                sub = db.session.get(Submission, submission_id)
                barrier.wait(timeout=10)
                services.save_review(db.session, sub, review_input("district", "meets"), by=user, submit=True)
                db.session.commit()
                results.append("ok")
            except (DomainError, StaleDataError) as exc:
                db.session.rollback()
                results.append(type(exc).__name__)
            except Exception as exc:  # noqa: BLE001 - shown in the assertion instead of dying in the thread
                db.session.rollback()
                results.append(f"unexpected {exc!r}")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=work, args=(uid,)) for uid in user_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


@pytest.fixture
def postgres_only(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("Needs PostgreSQL: SQLite lets one writer in at a time, so two threads cannot race there")


def counts(sub):
    db.session.expire_all()
    awards = db.session.scalar(select(func.count()).select_from(Award).where(Award.submission_id == sub.id))
    award_points = db.session.scalar(select(func.count()).select_from(LedgerEntry).where(LedgerEntry.kind == "award"))
    review_points = db.session.scalar(select(func.count()).select_from(LedgerEntry).where(LedgerEntry.kind == "review"))
    return awards, award_points, review_points


def test_two_final_approvals_at_the_same_moment_issue_one_award(postgres_only, app, people, use_chain, send):
    use_chain(("district", 2))
    sub = send(people.teacher)
    for pd in (people.pd, people.pd2):
        services.claim(db.session, fresh(sub), by=pd)
        db.session.commit()
    results = at_once(app, sub.id, [people.pd.id, people.pd2.id])
    assert results == ["ok", "ok"]  # both reviews count; the second to commit completes the stage
    assert fresh(sub).state == "awarded"
    assert counts(sub) == (1, 1, 2)


def test_a_double_click_on_the_final_approval_issues_one_award(postgres_only, app, people, use_chain, send):
    use_chain("district")
    sub = send(people.teacher)
    services.claim(db.session, fresh(sub), by=people.pd)
    db.session.commit()
    results = at_once(app, sub.id, [people.pd.id, people.pd.id])
    assert sorted(results) == ["InvalidTransition", "ok"]
    assert fresh(sub).state == "awarded"
    assert counts(sub) == (1, 1, 1)
