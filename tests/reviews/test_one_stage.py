"""A submission's review stage is kept once, on the submission: the chain's moves change it there, and the
migration that dropped the track's own count carries every value over, and back on a downgrade."""
from flask_migrate import downgrade, stamp, upgrade
from sqlalchemy import text

from milepost.extensions import db
from milepost.reviews import services
from tests.helpers.reviews import fresh, review_input


def stages(sql: str) -> dict[int, int | None]:
    with db.engine.connect() as conn:
        return {row[0]: row[1] for row in conn.execute(text(sql))}


def test_a_skipped_stage_and_a_decision_leave_the_stage_on_the_submission(people, use_chain, send):
    use_chain(("peer", 1, 0), "coach", "district")
    alone = send(people.outsider)  # in no PLC: nobody can take the peers' stage, which is skipped at once
    assert fresh(alone).stage == 2 and services.track_of(db.session, fresh(alone)).stage.kind == "coach"
    services.save_review(db.session, fresh(alone), review_input("coach", "not_yet", feedback="More."),
                         by=people.coach, submit=True)
    db.session.commit()
    assert fresh(alone).state == "returned" and fresh(alone).stage == 2  # the stage that returned it


def test_the_migration_carries_every_stage_over_and_back(app, people, use_chain, send):
    use_chain("peer", "coach", "district")
    waiting = send(people.teacher)  # sent: at the peers' stage 1
    coached = send(people.peer)  # in review at the coach's stage 2
    services.save_review(db.session, coached, review_input("peer"), by=people.peer2, submit=True)
    returned = send(people.peer2)  # "not yet" from the coach at stage 2
    services.save_review(db.session, returned, review_input("peer"), by=people.teacher, submit=True)
    services.save_review(db.session, fresh(returned), review_input("coach", "not_yet", feedback="More."),
                         by=people.coach, submit=True)
    db.session.commit()
    waiting, coached, returned = waiting.id, coached.id, returned.id
    assert stages("SELECT id, stage FROM submission") == {waiting: 1, coached: 2, returned: 2}
    db.session.remove()

    stamp()  # the tables the fixture made are the newest revision's
    try:
        downgrade(revision="0014_report_speed")
        assert stages("SELECT submission_id, position FROM review_track") == {waiting: 1, coached: 2, returned: 2}
        # As the submission kept it before: only while in review.
        assert stages("SELECT id, stage FROM submission") == {waiting: None, coached: 2, returned: None}

        upgrade()
        assert stages("SELECT id, stage FROM submission") == {waiting: 1, coached: 2, returned: 2}
        with db.engine.connect() as conn:
            assert "position" not in conn.execute(text("SELECT * FROM review_track")).keys()
    finally:
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
