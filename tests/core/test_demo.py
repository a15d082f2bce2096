from collections import Counter
from datetime import UTC, datetime, timedelta

from milepost.accounts.models import PLC, School, User
from milepost.awards.models import Award
from milepost.demo import seed
from milepost.evidence.models import Submission
from milepost.extensions import db
from milepost.points.models import LedgerEntry, RewardClaim, TierReached
from milepost.reviews.models import Review
from tests.helpers.app import login

DEMO = "@riverbend.example"


def counts():
    return tuple(db.session.scalar(db.select(db.func.count()).select_from(m))
                 for m in (User, School, PLC, Submission, Review, Award, LedgerEntry, RewardClaim))


def person(name: str) -> User:
    return db.session.scalar(db.select(User).filter_by(email=name + DEMO))


def test_seed_demo_twice_adds_nothing_the_second_time(app):
    runner = app.test_cli_runner()
    app.config["TWO_FACTOR_REQUIRED"] = True  # the default outside tests
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "alicia.chen@riverbend.example" in first.output and "milepost-demo" in first.output
    # Staff accounts set up a second factor at first sign-in: the message says so, and how to skip it locally.
    assert "authenticator app" in first.output and "MILEPOST_TWO_FACTOR_REQUIRED=false make demo" in first.output
    after_first = counts()
    assert after_first[0] >= 10 and after_first[1] == 2 and after_first[2] >= 4 and after_first[3] >= 30
    app.config["TWO_FACTOR_REQUIRED"] = False
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0, second.output
    assert "authenticator app" not in second.output
    assert counts() == after_first


def test_every_demo_role_can_sign_in(app, client):
    logins = seed(db.session)
    db.session.commit()
    for role, email in logins["people"]:
        response = login(client, email, logins["password"])
        assert response.status_code == 302, (role, email)
        client.post("/logout")
    staff = login(client, "dana.whitfield@riverbend.example", logins["password"])
    assert staff.status_code == 302 and client.get("/admin/people").status_code == 200


def _consistent() -> None:
    """Everything derived agrees with what it derives from (`milepost points verify` and the holder counts)."""
    from milepost.awards.services import check_earners
    from milepost.points import services as points
    from milepost.points import standings

    assert points.verify(db.session) == []
    assert standings.check(db.session) == []
    assert check_earners(db.session) == []


def test_the_demo_district_has_a_school_year_of_real_activity(app):
    from milepost.core.model import utcnow
    from milepost.reports import services as reports
    from milepost.reviews import demo as demo_history
    from milepost.reviews import services as reviews

    seed(db.session)
    db.session.commit()
    now = utcnow()
    result = app.test_cli_runner().invoke(args=["points", "verify"])
    assert result.exit_code == 0 and "0 difference" in result.output, result.output
    _consistent()

    # The coach's queue: several items at the coach stage, one past the reminder target, and a peer item.
    grace = person("grace.okafor")
    queue = reviews.queue(db.session, grace)
    coach = [r for r in queue if r.stage.kind == "coach"]
    assert len(coach) >= 4 and any(r.stage.kind == "peer" for r in queue)
    assert max(r.waiting for r in coach) > timedelta(days=app.config["REVIEW_STUCK_DAYS"])
    assert any(timedelta(days=1) < r.waiting < timedelta(days=app.config["REVIEW_TARGET_DAYS"]) for r in coach)
    assert reviews.queue(db.session, person("dana.whitfield"))  # the PD office's own stage has work too

    # The demo teacher: a draft, work with reviewers, "not yet" with peer and coach feedback to revise, awards.
    alicia = person("alicia.chen")
    mine = db.session.scalars(db.select(Submission).filter_by(user_id=alicia.id)).all()
    states = Counter(s.state for s in mine)
    assert states["draft"] == 1 and states["returned"] == 1 and states["submitted"] + states["in_review"] == 1
    returned = next(s for s in mine if s.state == "returned")
    decided = next(a for a in returned.attempts if a.outcome == "returned")
    assert decided.feedback.strip() and returned.attempt_number == decided.number + 1
    feedback = reviews.teacher_feedback(db.session, returned, decided.number)
    assert {r.stage_kind for r in feedback} == {"peer", "coach"}
    peer = next(r for r in feedback if r.stage_kind == "peer")
    assert peer.scores and all(s.glow or s.grow for s in peer.scores)
    awarded = db.session.scalars(db.select(Award).filter_by(user_id=alicia.id)).all()
    assert len(awarded) >= 3 and all(a.submission_id for a in awarded)

    # Across the district: awards earned through submissions over at least three months, nothing in the future.
    awards = db.session.scalars(db.select(Award)).all()
    assert len({a.issued_at.strftime("%Y-%m") for a in awards}) >= 3
    assert all(a.submission_id is not None for a in awards)
    assert max(a.issued_at for a in awards) <= now
    assert max(db.session.scalars(db.select(LedgerEntry.created_at))) <= now
    entries = {e.award_id: e.created_at for e in db.session.scalars(db.select(LedgerEntry).where(
        LedgerEntry.award_id.is_not(None)))}
    assert all(entries[a.id] == a.issued_at for a in awards)  # the ledger agrees with the backdated awards
    assert db.session.scalar(db.select(db.func.count()).select_from(TierReached)) >= 3
    claims = Counter(db.session.scalars(db.select(RewardClaim.status)))
    assert claims["claimed"] >= 1 and claims["fulfilled"] >= 1

    # The district reports dashboard for the period the history covers (the school year, once it is old enough).
    start, _ = demo_history.window(now)
    board = reports.dashboard(db.session, reports.Filters(start=start.date(), end=now.date()))
    assert board.total("started") and board.total("submitted") and board.total("awarded")
    assert board.turnaround["decision"].n >= 10 and board.turnaround["coach"].p90 > board.turnaround["coach"].median
    assert board.backlog["coach"].n >= 4 and board.claims_waiting >= 1
    assert any(rate.flagged for rate in board.not_yet)
    assert sum(n for _tier, n in board.tiers) >= 3
    year = reports.school_year_of(now.date())
    if start.date() == reports.school_year_dates(year)[0]:
        first, last = reports.school_year_dates(year)
        this_year = reports.dashboard(db.session, reports.Filters(start=first, end=last))
        assert (this_year.total("started"), this_year.total("submitted"), this_year.total("awarded")) == (
            board.total("started"), board.total("submitted"), board.total("awarded"))


def test_the_demo_builds_early_in_a_school_year_too(app):
    """On 3 August the school year is two days old: the history reaches back into the summer instead."""
    from milepost.reviews.demo import clock

    moment = datetime(datetime.now(UTC).year, 8, 3, 14, 30, tzinfo=UTC)
    with clock(moment):
        seed(db.session)
        db.session.flush()
        _consistent()
        from milepost.reviews import services as reviews
        assert [r for r in reviews.queue(db.session, person("grace.okafor")) if r.stage.kind == "coach"]
        months = {a.issued_at.strftime("%Y-%m") for a in db.session.scalars(db.select(Award))}
        assert len(months) >= 3 and max(db.session.scalars(db.select(Award.issued_at))) <= moment
    db.session.commit()


def test_create_user_command(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-user", "--email", "Coach@School.example", "--name", "A Coach",
                                 "--role", "coach", "--role", "teacher", "--password", "long enough pass"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(db.select(User).filter_by(email="coach@school.example"))
    assert user.roles == {"coach", "teacher"}
    clash = runner.invoke(args=["create-user", "--email", "coach@school.example", "--name", "B",
                                "--password", "long enough pass"])
    assert clash.exit_code != 0 and "already uses" in clash.output
