"""The ledger: credited once per source, reversed on revocation, balances verifiable."""
import threading

import pytest

from milepost.awards.models import Award
from milepost.awards.services import issue_award, revoke_award
from milepost.badges import services as badges
from milepost.core.errors import ValidationFailed
from milepost.extensions import db
from milepost.points import services
from milepost.points.models import LedgerEntry, PointsAccount


def entries(user_id):
    return db.session.scalars(db.select(LedgerEntry).filter_by(user_id=user_id).order_by(LedgerEntry.id)).all()


def test_an_award_credits_the_badge_points_once(make_user, make_badge, award):
    teacher = make_user()
    badge = make_badge("goals", points=150)
    first = award(teacher, badge)
    again = award(teacher, badge)
    assert first.id == again.id
    assert [(e.kind, e.amount, e.source) for e in entries(teacher.id)] == [("award", 150, f"award:{first.id}")]
    assert services.balance(db.session, teacher.id) == 150


def test_crediting_the_same_source_twice_writes_one_entry(make_user):
    teacher = make_user()
    assert services.credit(db.session, user_id=teacher.id, kind="review", amount=10, source="review:1") is not None
    assert services.credit(db.session, user_id=teacher.id, kind="review", amount=10, source="review:1") is None
    db.session.commit()
    assert len(entries(teacher.id)) == 1 and services.balance(db.session, teacher.id) == 10


def test_revoking_writes_a_reversal_and_edits_nothing(make_user, make_badge, award):
    teacher, admin = make_user(), make_user("pd_admin")
    badge = make_badge("goals", points=100)
    given = award(teacher, badge)
    with pytest.raises(ValidationFailed, match="reason"):
        revoke_award(db.session, given, reason=" ", by=admin)
    revoke_award(db.session, given, reason="Evidence was not the teacher's own.", by=admin)
    db.session.commit()
    assert [(e.kind, e.amount) for e in entries(teacher.id)] == [("award", 100), ("reversal", -100)]
    assert services.balance(db.session, teacher.id) == 0
    assert given.status == "revoked"
    assert badges.progress_for(db.session, teacher).earned == frozenset()


def test_adjustments_need_a_reason_and_show_in_the_history(make_user):
    teacher, admin = make_user(), make_user("pd_admin")
    with pytest.raises(ValidationFailed, match="Give a reason"):
        services.adjust(db.session, user=teacher, amount=50, reason="", by=admin)
    with pytest.raises(ValidationFailed, match="not zero"):
        services.adjust(db.session, user=teacher, amount=0, reason="x", by=admin)
    services.adjust(db.session, user=teacher, amount=-20, reason="Duplicate credit from the old system", by=admin)
    db.session.commit()
    (entry,) = entries(teacher.id)
    assert entry.kind == "adjustment" and entry.amount == -20 and entry.created_by_id == admin.id


def test_points_verify_finds_a_tampered_balance(app, make_user):
    teacher = make_user()
    services.credit(db.session, user_id=teacher.id, kind="review", amount=30, source="review:9")
    db.session.commit()
    assert services.verify(db.session) == []
    db.session.get(PointsAccount, teacher.id).balance = 999
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["points", "verify"])
    assert result.exit_code == 1 and f"user {teacher.id}: cached 999, ledger 30" in result.output
    repaired = runner.invoke(args=["points", "verify", "--repair"])
    assert repaired.exit_code == 0
    db.session.expire_all()
    assert services.balance(db.session, teacher.id) == 30


def test_two_simultaneous_approvals_make_one_award_and_one_credit(app, make_user, make_badge):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs two real connections: run on PostgreSQL")
    teacher = make_user()
    badge = make_badge("goals", points=75)
    version = badges.current_version(db.session, badge)
    badge_id, version_id, teacher_id = badge.id, version.id, teacher.id
    barrier, results, errors = threading.Barrier(2), [], []

    def approve():
        try:
            with app.app_context():
                from milepost.badges.models import Badge, BadgeVersion

                b, v = db.session.get(Badge, badge_id), db.session.get(BadgeVersion, version_id)
                barrier.wait(timeout=10)
                made, new = issue_award(db.session, user_id=teacher_id, badge=b, version=v)
                db.session.commit()
                results.append(new)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=approve) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    db.session.expire_all()
    awards = db.session.scalars(db.select(Award).filter_by(user_id=teacher_id)).all()
    assert len(awards) == 1
    assert [(e.kind, e.amount) for e in entries(teacher_id)] == [("award", 75)]
    assert services.balance(db.session, teacher_id) == 75
    assert sorted(results) == [False, True] or errors, (results, errors)


def test_a_meets_decision_issues_the_award_and_credits_points_in_one_transaction(make_user, make_badge):
    from milepost.evidence import services as evidence
    from tests.helpers.evidence import PROMPTS, fill_in

    teacher, coach = make_user("teacher"), make_user("coach")
    badge = make_badge("goals", points=120, prompts=PROMPTS)
    submission = evidence.start_badge(db.session, teacher, badge)
    fill_in(submission, teacher)
    evidence.transition(db.session, submission, "submit", by=teacher)
    evidence.transition(db.session, submission, "begin_review", by=coach)
    evidence.transition(db.session, submission, "award", by=coach, note="Well evidenced.")
    db.session.commit()
    (given,) = db.session.scalars(db.select(Award)).all()
    assert given.submission_id == submission.id and given.badge_version_id == submission.badge_version_id
    assert services.balance(db.session, teacher.id) == 120
    assert badges.progress_for(db.session, teacher).earned == frozenset({badge.id})
