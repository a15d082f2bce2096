"""The leaderboards' pre-aggregated totals: each person's and each school's and PLC's all-time,
month and school-year points and badges move with the ledger and the memberships in the same
transaction, a new period starts from zero by itself, and `milepost points verify` recomputes them."""
from datetime import date

from milepost.accounts import services as accounts
from milepost.accounts.models import PLC, School
from milepost.awards.services import revoke_award
from milepost.extensions import db
from milepost.points import services, standings
from milepost.points.models import PLCTotals, PointsAccount, SchoolTotals


def totals(model, key):
    db.session.expire_all()
    row = db.session.get(model, key)
    return None if row is None else (row.members, row.points, row.badges, row.month_points, row.year_points)


def place(name):
    school = School(name=name)
    plc = PLC(name=f"{name} team", school=school)
    db.session.add_all([school, plc])
    db.session.commit()
    return school, plc


def test_an_award_and_its_revocation_move_the_person_their_school_and_their_plc(make_user, make_badge, award):
    maple, team = place("Maple")
    earner, colleague = make_user(school=maple, plcs=[team]), make_user(school=maple)
    given = award(earner, make_badge("one", points=100))
    account = db.session.get(PointsAccount, earner.id)
    assert (account.balance, account.badges, account.month_points, account.month_badges, account.year_points) == \
        (100, 1, 100, 1, 100)
    assert totals(SchoolTotals, maple.id) == (2, 100, 1, 100, 100)
    assert totals(PLCTotals, team.id) == (1, 100, 1, 100, 100)
    revoke_award(db.session, db.session.merge(given), reason="Issued in error.", by=colleague)
    db.session.commit()
    assert totals(SchoolTotals, maple.id) == (2, 0, 0, 0, 0)
    assert standings.check(db.session) == []


def test_a_credit_rolled_back_moves_nothing(make_user):
    maple, team = place("Maple")
    teacher = make_user(school=maple, plcs=[team])
    # The credit is the unit of work's first write (its savepoint opens the transaction: core/sqlite.py).
    services.credit(db.session, user_id=teacher.id, kind="review", amount=30, source="review:1")
    db.session.rollback()
    assert totals(SchoolTotals, maple.id) == (1, 0, 0, 0, 0) and totals(PLCTotals, team.id) == (1, 0, 0, 0, 0)
    assert standings.check(db.session) == []


def test_moving_school_changing_plcs_and_deactivation_move_what_the_person_earned(make_user, make_badge, award):
    maple, maple_team = place("Maple")
    oak, oak_team = place("Oak")
    admin = make_user("pd_admin")
    teacher = make_user(school=maple, plcs=[maple_team])
    award(teacher, make_badge("one", points=80))
    assert totals(SchoolTotals, maple.id) == (1, 80, 1, 80, 80)

    teacher = db.session.merge(teacher)
    accounts.save_user(db.session, teacher, actor=admin, email=teacher.email, display_name=teacher.display_name,
                       roles=["teacher"], school=db.session.get(School, oak.id),
                       plcs=[db.session.get(PLC, oak_team.id)])
    db.session.commit()
    assert totals(SchoolTotals, maple.id) == (0, 0, 0, 0, 0) and totals(PLCTotals, maple_team.id) == (0, 0, 0, 0, 0)
    assert totals(SchoolTotals, oak.id) == (1, 80, 1, 80, 80) and totals(PLCTotals, oak_team.id) == (1, 80, 1, 80, 80)
    assert standings.check(db.session) == []

    accounts.set_active(db.session, db.session.merge(teacher), False, actor=admin)
    db.session.commit()
    # Schools count their active people; PLC memberships stay as they are.
    assert totals(SchoolTotals, oak.id) == (0, 0, 0, 0, 0) and totals(PLCTotals, oak_team.id) == (1, 80, 1, 80, 80)
    assert standings.check(db.session) == []


def test_a_roster_import_moves_people_between_schools_and_plcs(app, make_user, make_badge, award):
    from milepost.accounts.roster import import_roster

    maple, _team = place("Maple")
    teacher = make_user(school=maple)
    award(teacher, make_badge("one", points=40))
    import_roster(db.session, f"name,email,school,roles,plcs\n{teacher.display_name},{teacher.email},Birch,teacher,"
                              "Readers\n")
    db.session.commit()
    birch = db.session.scalar(db.select(School).where(School.name == "Birch"))
    readers = db.session.scalar(db.select(PLC).where(PLC.name == "Readers"))
    assert totals(SchoolTotals, birch.id) == (1, 40, 1, 40, 40) and totals(PLCTotals, readers.id) == (1, 40, 1, 40, 40)
    assert totals(SchoolTotals, maple.id) == (0, 0, 0, 0, 0)
    assert standings.check(db.session) == []


def test_a_new_month_starts_from_zero_without_anything_running(make_user, make_badge, award, app):
    maple, _team = place("Maple")
    teacher = make_user(school=maple)
    award(teacher, make_badge("one", points=50))
    # As if those points were earned in an earlier month: the figures are stamped with that month.
    db.session.execute(db.update(PointsAccount).values(month_start=date(2000, 1, 1)))
    db.session.execute(db.update(SchoolTotals).values(month_start=date(2000, 1, 1)))
    account = services._account(db.session, teacher.id)
    account.leaderboard_opt_in = True
    db.session.commit()
    assert services.people_board(db.session, "month").rows == []
    assert services.people_board(db.session, "all").rows[0][2] == 50
    assert services.group_board(db.session, "month", "school").rows[0]["points"] == 0
    services.credit(db.session, user_id=teacher.id, kind="adjustment", amount=5, source="adjustment:x", reason="x")
    db.session.commit()
    account = db.session.get(PointsAccount, teacher.id)
    assert account.month_points == 5 and account.balance == 55
    assert totals(SchoolTotals, maple.id)[3] == 5


def test_verify_reports_and_repairs_wrong_totals(app, make_user, make_badge, award):
    maple, team = place("Maple")
    teacher = make_user(school=maple, plcs=[team])
    award(teacher, make_badge("one", points=60))
    db.session.execute(db.update(PLCTotals).values(points=7))
    db.session.execute(db.update(PointsAccount).values(year_badges=9))
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["points", "verify"])
    assert result.exit_code == 1
    assert f"plc {team.id}: points stored 7, expected 60" in result.output
    assert f"user {teacher.id}: year badges stored 9, ledger 1" in result.output
    assert runner.invoke(args=["points", "verify", "--repair"]).exit_code == 0
    assert runner.invoke(args=["points", "verify"]).exit_code == 0
    assert totals(PLCTotals, team.id) == (1, 60, 1, 60, 60)


def test_the_group_boards_show_the_top_and_the_viewers_own(make_user, make_badge, award):
    groups = [place(name) for name in ("Alder", "Beech", "Cedar")]
    people = []
    for n, (school, plc) in enumerate(groups):
        person = make_user(school=school, plcs=[plc])
        people.append(person)
        for _ in range(2 - n):  # Alder earns most, Cedar nothing
            award(make_user(school=school, plcs=[plc]), make_badge(f"b{n}{_}", points=100))
    viewer = db.session.merge(people[2])
    board = services.group_board(db.session, "all", "school", limit=2, viewer=viewer)
    assert [r["name"] for r in board.rows] == ["Alder", "Beech"] and board.more
    assert [r["name"] for r in board.yours] == ["Cedar"]
    plcs = services.group_board(db.session, "all", "plc", limit=1, viewer=db.session.merge(people[0]))
    assert [r["name"] for r in plcs.rows] == ["Alder team"] and plcs.yours == []
    assert plcs.rows[0]["per_member"] == 66.7  # 200 points, 3 members


def test_the_badge_holder_counts_follow_awards_revocations_and_expiries(make_user, make_badge, award):
    from datetime import timedelta

    from milepost.awards import services as awards
    from milepost.core.model import utcnow

    badge = make_badge("one", points=10)
    first, second, admin = make_user(), make_user(), make_user("pd_admin")
    kept = award(first, badge)
    assert awards.earner_counts(db.session, [badge.id]) == {badge.id: 1}
    until = award(second, badge)
    until = db.session.merge(until)
    until.expires_at = utcnow() + timedelta(days=30)  # as a badge's validity period sets it
    db.session.commit()
    assert awards.earner_counts(db.session, [badge.id]) == {badge.id: 2}
    until.expires_at = utcnow() - timedelta(days=1)  # time alone ends it
    db.session.commit()
    assert awards.earner_counts(db.session, [badge.id]) == {badge.id: 1}
    revoke_award(db.session, db.session.merge(kept), reason="Issued in error.", by=admin)
    db.session.commit()
    assert awards.earner_counts(db.session, [badge.id]) == {}
    assert awards.check_earners(db.session) == []


def test_simultaneous_credits_and_a_membership_change_keep_the_totals_exact(app, make_user):
    import threading

    import pytest

    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs real concurrent connections: run on PostgreSQL")
    maple, team = place("Maple")
    people = [make_user(school=maple, plcs=[team]) for _ in range(4)]
    joiner = make_user(school=maple)
    ids, team_id, joiner_id = [p.id for p in people], team.id, joiner.id
    services.credit(db.session, user_id=joiner_id, kind="review", amount=5, source="review:first")
    db.session.commit()
    barrier, errors = threading.Barrier(len(ids) + 2), []  # every credit, the joiner's, the join

    def credit(uid, source):
        try:
            with app.app_context():
                barrier.wait(timeout=10)
                services.credit(db.session, user_id=uid, kind="review", amount=10, source=source)
                db.session.commit()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    def join():
        try:
            with app.app_context():
                from milepost.accounts.models import PLCMembership

                barrier.wait(timeout=10)
                db.session.add(PLCMembership(plc_id=team_id, user_id=joiner_id))
                db.session.commit()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=credit, args=(uid, f"review:{uid}")) for uid in ids]
    threads += [threading.Thread(target=credit, args=(joiner_id, "review:joiner")), threading.Thread(target=join)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not errors, errors
    db.session.expire_all()
    assert standings.check(db.session) == []
    assert totals(PLCTotals, team_id) == (5, 55, 0, 55, 55)
