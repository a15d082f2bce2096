"""Reviewer points, `milepost send-reminders` (once a day), and calibration anchors."""
from datetime import timedelta

from sqlalchemy import func, select, update

from milepost.core.mail import outbox_messages
from milepost.core.model import utcnow
from milepost.extensions import db
from milepost.points.models import LedgerEntry, PointsAccount
from milepost.reviews import services
from milepost.reviews.models import Anchor, ReviewClaim, ReviewTrack
from tests.helpers.reviews import files_of, fresh, review_input, scores


def review_entries(user):
    return db.session.scalars(select(LedgerEntry).where(LedgerEntry.user_id == user.id,
                                                        LedgerEntry.kind == "review")).all()


def test_each_completed_review_credits_the_reviewer_once(people, use_chain, send, app):
    app.config["REVIEW_POINTS"] = 7
    use_chain("peer", "coach")
    sub = send(people.teacher)
    services.save_review(db.session, sub, review_input("peer"), by=people.peer, submit=False)
    db.session.commit()
    assert review_entries(people.peer) == []  # a draft earns nothing
    review = services.save_review(db.session, sub, review_input("peer"), by=people.peer, submit=True)
    db.session.commit()
    services._recognise(db.session, review, sub)  # credited again (a retry): the source key says no
    db.session.commit()
    entries = review_entries(people.peer)
    assert [(e.amount, e.source) for e in entries] == [(7, f"review:{review.id}")]
    assert db.session.get(PointsAccount, people.peer.id).balance == 7


def test_reviewer_points_can_be_turned_off(people, use_chain, send, app):
    app.config["REVIEW_POINTS"] = 0
    use_chain("coach")
    sub = send(people.teacher)
    services.save_review(db.session, sub, review_input("coach", "meets"), by=people.coach, submit=True)
    db.session.commit()
    assert review_entries(people.coach) == []
    assert fresh(sub).state == "awarded"


def reminders():
    return [m for m in outbox_messages() if "waiting for you" in m["Subject"] or "stuck in review" in m["Subject"]]


def run(app):
    result = app.test_cli_runner().invoke(args=["send-reminders"])
    assert result.exit_code == 0, result.output
    return result.output


def test_send_reminders_nudges_once_a_day(people, use_chain, send, app, make_user):
    use_chain("coach")
    waiting, fresh_one = send(people.teacher), send(people.outsider)
    db.session.execute(update(ReviewTrack).where(ReviewTrack.submission_id == waiting.id)
                       .values(entered_at=utcnow() - timedelta(days=6)))
    db.session.commit()
    first = run(app)
    assert "2 reviewer reminder(s)" in first  # both coaches may take it
    mails = reminders()
    assert sorted(m["To"] for m in mails) == sorted([people.coach.email, people.coach2.email])
    body = mails[0].get_body(("plain",)).get_content()
    assert f"/reviews/{waiting.id}" in body and f"/reviews/{fresh_one.id}" not in body
    again = run(app)
    assert "0 reviewer reminder(s)" in again and "2 already sent today" in again
    assert len(reminders()) == 2

    # Claimed work nudges only the person holding it; stuck work tells the PD office, once.
    services.claim(db.session, fresh(waiting), by=people.coach)
    db.session.execute(update(ReviewTrack).where(ReviewTrack.submission_id == waiting.id)
                       .values(entered_at=utcnow() - timedelta(days=12)))
    db.session.commit()
    report = services.send_reminders(db.session, now=utcnow() + timedelta(days=1))
    db.session.commit()
    assert report.reviewer_mails == 1 and report.admin_mails == 2
    to = [m["To"] for m in reminders()[2:]]
    assert people.coach.email in to and people.coach2.email not in to
    assert {people.pd.email, people.pd2.email} <= set(to)
    assert services.send_reminders(db.session, now=utcnow() + timedelta(days=1)).admin_mails == 0


def test_send_reminders_expires_old_claims(people, use_chain, send, app):
    use_chain("coach")
    sub = send(people.teacher)
    services.claim(db.session, sub, by=people.coach)
    db.session.execute(update(ReviewClaim).values(expires_at=utcnow() - timedelta(hours=1)))
    db.session.commit()
    assert "1 claim(s) expired" in run(app)
    assert db.session.scalar(select(func.count()).select_from(ReviewClaim)) == 0


def test_reviewers_calibrate_on_anchors_without_student_information(people, use_chain, send, client_for):
    use_chain("coach")
    sub = send(people.teacher)
    client_for(people.coach).post(f"/reviews/{sub.id}", data=scores(level=3, feedback="A model of goal setting."))
    pd = client_for(people.pd)
    assert pd.post(f"/reviews/{sub.id}/anchor", data={"note": "Strong goal sheets"}).status_code == 302
    anchor_id = db.session.scalar(select(Anchor.id))
    files = files_of(sub)
    other_coach = client_for(people.coach2)
    page = other_coach.get(f"/reviews/anchors/{anchor_id}").get_data(as_text=True)
    assert "sheet.png" in page and "class.pdf" not in page and "Tess Teacher" not in page
    assert "Exceeds" in page and "Strong goal sheets" in page
    ok = other_coach.get(f"/reviews/anchors/{anchor_id}/files/{files['sheet.png'].id}")
    assert ok.status_code == 200 and ok.headers["X-Content-Type-Options"] == "nosniff"
    assert other_coach.get(f"/reviews/anchors/{anchor_id}/files/{files['class.pdf'].id}").status_code == 404
    # the anchor does not make them a reviewer of the submission itself
    assert other_coach.get(f"/evidence/files/{files['class.pdf'].id}").status_code == 404
    assert client_for(people.outsider).get(f"/reviews/anchors/{anchor_id}").status_code == 403
    assert client_for(people.coach2).post(f"/reviews/{sub.id}/anchor", data={"note": "x"}).status_code == 403
