"""A unit of work is one transaction on SQLite as on PostgreSQL: a SAVEPOINT that is the first statement
of a transaction does not commit on its own when it is released, a rolled-back savepoint undoes only its
own work, and the way SQLite transactions begin neither fails a read-then-write nor skips the busy wait."""
import threading
import time

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from milepost.accounts.models import User
from milepost.extensions import db
from milepost.points import services as points
from milepost.points import standings
from milepost.points.models import LedgerEntry, PointsAccount


def committed(statement):
    """What another connection sees: only what was really committed."""
    with db.engine.connect() as conn:
        return conn.execute(statement).scalar()


def entries(source):
    return committed(select(func.count()).select_from(LedgerEntry).where(LedgerEntry.source == source))


def balance(user_id):
    return committed(select(PointsAccount.balance).where(PointsAccount.user_id == user_id)) or 0


def test_a_unit_of_work_whose_first_write_is_a_credit_rolls_back_whole(make_user):
    teacher = make_user()
    db.session.commit()  # nothing pending: the credit's SAVEPOINT is the first write of the next transaction
    points.credit(db.session, user_id=teacher.id, kind="review", amount=30, source="review:first")
    points.credit(db.session, user_id=teacher.id, kind="review", amount=5, source="review:second")
    db.session.rollback()  # e.g. a later step of the request failed
    assert entries("review:first") == 0 and entries("review:second") == 0
    assert balance(teacher.id) == 0
    assert points.verify(db.session) == [] and standings.check(db.session) == []


def test_a_credit_as_first_write_commits_with_the_rest_of_its_unit_of_work(make_user):
    teacher = make_user()
    db.session.commit()
    points.credit(db.session, user_id=teacher.id, kind="review", amount=30, source="review:kept")
    assert entries("review:kept") == 0, "a released SAVEPOINT committed the entry before the transaction did"
    db.session.execute(update(User).where(User.id == teacher.id).values(display_name="Renamed"))
    db.session.commit()
    assert entries("review:kept") == 1 and balance(teacher.id) == 30
    assert points.verify(db.session) == []


def test_a_savepoint_rolled_back_undoes_only_its_own_work(make_user):
    teacher = make_user(name="Before")
    db.session.commit()
    with pytest.raises(RuntimeError):
        with db.session.begin_nested():  # the first statement of the transaction
            points.credit(db.session, user_id=teacher.id, kind="review", amount=30, source="review:undone")
            raise RuntimeError("this step failed")
    teacher = db.session.get(User, teacher.id)
    teacher.display_name = "After"
    points.credit(db.session, user_id=teacher.id, kind="review", amount=7, source="review:kept")
    with db.session.begin_nested() as inner:
        points.credit(db.session, user_id=teacher.id, kind="review", amount=1000, source="review:inner")
        inner.rollback()
    db.session.commit()
    assert entries("review:undone") == 0 and entries("review:inner") == 0 and entries("review:kept") == 1
    assert balance(teacher.id) == 7
    assert committed(select(User.display_name).where(User.id == teacher.id)) == "After"
    assert points.verify(db.session) == [] and standings.check(db.session) == []


def test_a_read_then_write_succeeds_after_another_connection_wrote_in_between(make_user):
    """A transaction that read before another connection committed can still write (no immediate
    SQLITE_BUSY 'snapshot' error as a deferred transaction begun at the first read would get)."""
    teacher, other = make_user(name="Teacher"), make_user(name="Other")
    with Session(db.engine) as first, Session(db.engine) as second:
        assert first.get(User, teacher.id).display_name == "Teacher"
        second.get(User, other.id).display_name = "Other, renamed"
        second.commit()
        first.get(User, teacher.id).display_name = "Teacher, renamed"
        first.commit()
    assert committed(select(User.display_name).where(User.id == teacher.id)) == "Teacher, renamed"
    assert committed(select(User.display_name).where(User.id == other.id)) == "Other, renamed"


def test_a_writer_waits_for_another_writer_instead_of_failing(app, make_user):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's single-writer lock and busy timeout")
    teacher = make_user(name="Teacher")
    engine = db.engine
    holder = Session(engine)
    holder.get(User, teacher.id).display_name = "First"
    holder.flush()  # holds the write lock
    outcome = []

    def second_writer():
        with Session(engine) as s:
            try:
                points.credit(s, user_id=teacher.id, kind="review", amount=3, source="review:waited")
                s.commit()
                outcome.append("ok")
            except Exception as exc:  # noqa: BLE001 - reported by the assertion
                outcome.append(repr(exc))

    thread = threading.Thread(target=second_writer)
    thread.start()
    time.sleep(0.3)
    holder.commit()
    holder.close()
    thread.join(timeout=10)
    assert outcome == ["ok"]
    assert entries("review:waited") == 1 and balance(teacher.id) == 3


def test_sqlite_keeps_its_pragmas_and_reads_without_taking_the_write_lock(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
    assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    assert db.session.execute(text("PRAGMA busy_timeout")).scalar() == 5000
    db.session.execute(select(User.id)).all()
    with db.engine.connect() as other:  # a reader never blocks a writer
        other.execute(text("CREATE TABLE scratch (n INTEGER)"))
        other.commit()
    db.session.rollback()


def test_sqlite_begins_at_the_first_write_or_lock_and_immediately(make_user):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    teacher = make_user()

    def in_transaction():
        return db.session.connection().connection.dbapi_connection.in_transaction

    db.session.execute(select(User.id)).all()
    assert not in_transaction()  # reads alone hold no lock and no snapshot
    db.session.execute(select(User.id).where(User.id == teacher.id).with_for_update()).all()
    assert in_transaction()
    with db.engine.connect() as other:  # BEGIN IMMEDIATE took the write lock: another writer must wait
        other.exec_driver_sql("PRAGMA busy_timeout=50")
        with pytest.raises(Exception, match="locked"):
            other.execute(update(User).where(User.id == teacher.id).values(display_name="Other"))
        other.rollback()
    db.session.rollback()
    assert not in_transaction()
    with db.session.begin_nested():
        db.session.execute(select(User.id)).all()  # the SAVEPOINT goes out with the first statement
    assert in_transaction()  # a SAVEPOINT first begins the real transaction, released or not
    db.session.commit()
