"""A mail server that is down never fails the action; the mail waits and is retried; with Redis the
mail goes through the queue worker."""
from __future__ import annotations

import os
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from milepost.core.model import utcnow
from milepost.evidence import services as evidence
from milepost.extensions import db
from milepost.notifications import delivery
from milepost.notifications.models import Notification, OutgoingMail
from milepost.notifications.services import notify
from tests.helpers.evidence import fill_in
from tests.helpers.notifications import MailServer, free_port, text_of

REDIS_URL = os.environ.get("MILEPOST_TEST_REDIS_URL")


@pytest.fixture
def down():
    """A mail server that is not running yet: its port is closed until the test starts it."""
    server = MailServer(free_port())
    yield server
    server.stop()


@pytest.fixture
def app_settings(down):
    return {"SMTP_URL": down.url, "MAIL_TIMEOUT_SECONDS": 2, "MAIL_RETRY_MINUTES": 5, "MAIL_MAX_ATTEMPTS": 3}


def mails():
    db.session.expire_all()
    return db.session.scalars(select(OutgoingMail).order_by(OutgoingMail.id)).all()


def make_due():
    db.session.execute(update(OutgoingMail).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()


def test_an_unreachable_mail_server_does_not_fail_the_action_and_the_mail_is_retried(
        app, down, submission, teacher, caplog):
    fill_in(submission, teacher)
    db.session.commit()
    evidence.transition(db.session, submission, "submit", by=teacher)
    db.session.commit()  # the action commits; sending fails after it, quietly
    assert db.session.get(type(submission), submission.id).state == "submitted"
    [mail] = mails()
    assert mail.status == "pending" and mail.attempts == 1 and "Connection" in mail.last_error
    assert mail.next_attempt_at > utcnow() + timedelta(minutes=4)
    assert any("not sent" in r.getMessage() for r in caplog.records)

    runner = app.test_cli_runner()
    result = runner.invoke(args=["send-pending-mail"])
    assert "0 sent, 0 failed" in result.output  # not due yet: the backoff is respected

    down.start()
    make_due()
    result = runner.invoke(args=["send-pending-mail"])
    assert result.exit_code == 0 and "1 sent" in result.output, result.output
    [received] = down.to(teacher.email)
    assert "received your evidence" in received["Subject"]
    [mail] = mails()
    assert mail.status == "sent" and mail.attempts == 2 and mail.last_error == ""
    assert runner.invoke(args=["send-pending-mail"]).output.startswith("0 sent")  # never twice


def test_a_page_action_succeeds_while_the_mail_server_is_down(client, down, make_user):
    user = make_user()
    response = client.post("/reset", data={"email": user.email})
    assert response.status_code == 302
    [mail] = mails()
    assert mail.kind == "password_reset" and mail.status == "pending" and mail.attempts == 1
    assert "/reset/" in mail.text_body  # kept until it can be sent


def test_the_wait_doubles_and_a_mail_gives_up_after_the_last_attempt(app, down, make_user):
    user = make_user()
    notify(db.session, user, "award_issued", subject="x", context={"message": "x"}, url="/points")
    db.session.commit()
    first = mails()[0]
    start = utcnow()
    delivery.send_pending(now=first.next_attempt_at + timedelta(seconds=1))
    second = mails()[0]
    assert second.attempts == 2 and second.next_attempt_at - start >= timedelta(minutes=15)  # 5, then 10
    delivery.send_pending(now=second.next_attempt_at + timedelta(seconds=1))
    assert mails()[0].status == "failed" and mails()[0].attempts == 3


def test_two_senders_never_send_one_mail_twice(app, down, make_user):
    user = make_user()
    notify(db.session, user, "award_issued", subject="once", context={"message": "x"}, url="/points")
    db.session.commit()
    down.start()
    make_due()
    mail_id = mails()[0].id
    assert delivery.deliver([mail_id]).sent == 1
    assert delivery.deliver([mail_id]).skipped == 1
    assert len(down.messages) == 1


def test_several_mails_of_one_batch_wait_together_when_the_server_is_down(app, down, make_user):
    people = [make_user() for _ in range(3)]
    for person in people:
        notify(db.session, person, "award_issued", subject="x", context={"message": "x"}, url="/points")
    db.session.commit()
    assert [(m.status, m.attempts) for m in mails()] == [("pending", 1)] * 3
    assert db.session.scalar(select(db.func.count(Notification.id))) == 3


@pytest.mark.skipif(not REDIS_URL, reason="set MILEPOST_TEST_REDIS_URL to test the RQ worker")
def test_with_redis_the_mail_goes_through_the_worker(app, down, make_user):
    from redis import Redis
    from rq import SimpleWorker

    down.start()
    app.config.update(REDIS_URL=REDIS_URL, MAIL_QUEUE=f"milepost-test-{uuid.uuid4().hex}")
    app.extensions.pop("milepost_mail_redis", None)
    queue = delivery.mail_queue()
    try:
        user = make_user()
        notify(db.session, user, "award_issued", subject="queued", context={"message": "x"}, url="/points")
        db.session.commit()
        assert down.messages == [] and len(queue) == 1  # enqueued, not sent by the web process
        SimpleWorker([queue], connection=queue.connection).work(burst=True)
        assert down.subjects(user.email) == ["queued"]
        assert mails()[0].status == "sent"
    finally:
        queue.delete(delete_jobs=True)
        Redis.from_url(REDIS_URL).close()


def test_when_redis_is_unreachable_the_mail_is_sent_straight_away(app, down, make_user):
    down.start()
    app.config["REDIS_URL"] = f"redis://127.0.0.1:{free_port()}/0"
    user = make_user()
    notify(db.session, user, "award_issued", subject="still sent", context={"message": "x"}, url="/points")
    db.session.commit()
    assert down.subjects(user.email) == ["still sent"]
    assert "Hello" in text_of(down.messages[0])


def test_the_worker_command_needs_redis(app):
    result = app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code != 0 and "MILEPOST_REDIS_URL" in result.output
