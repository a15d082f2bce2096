"""Each person's choice per kind: straight away, in the daily digest (one mail from send-digests), or off."""
from __future__ import annotations

from sqlalchemy import select

from milepost.extensions import db
from milepost.notifications import services
from milepost.notifications.models import Notification, NotificationPreference
from milepost.notifications.services import notify, set_preference
from tests.helpers.notifications import html_of, text_of


def choose(user, **channels):
    for kind, channel in channels.items():
        set_preference(db.session, user.id, kind, channel)
    db.session.commit()


def send_digests(app):
    result = app.test_cli_runner().invoke(args=["send-digests"])
    assert result.exit_code == 0, result.output
    return result.output


def test_off_sends_no_mail_but_keeps_the_in_app_row(smtp, make_user):
    user = make_user()
    choose(user, award_issued="off")
    notify(db.session, user, "award_issued", subject="You earned a badge", context={"message": "Well done."},
           url="/points")
    db.session.commit()
    assert smtp.messages == []
    [row] = db.session.scalars(select(Notification).where(Notification.user_id == user.id)).all()
    assert row.email == "off" and row.mail_id is None and row.digest_state is None


def test_digest_items_wait_for_send_digests_and_go_out_once_grouped_by_kind(app, smtp, make_user):
    ana, ben = make_user(name="Ana"), make_user(name="Ben")
    for person in (ana, ben):
        choose(person, award_issued="digest", decision="digest")
    notify(db.session, ana, "award_issued", subject="You earned “Goal Setting”", context={"message": "Yes."},
           url="/points")
    notify(db.session, ana, "decision", subject="“Listening”: not yet", context={"message": "Revise."},
           url="/submissions/1")
    notify(db.session, ana, "decision", subject="“Questioning”: meets", context={"message": "Good."})
    notify(db.session, ben, "decision", subject="Ben's decision", context={"message": "For Ben."})
    db.session.commit()
    assert smtp.messages == []  # nothing straight away

    assert "2 digest(s) with 4 item(s)" in send_digests(app)
    [to_ana] = smtp.to(ana.email)
    assert to_ana["Subject"] == "Your Milepost digest: 3 updates"
    text, html = text_of(to_ana), html_of(to_ana)
    for subject in ("You earned “Goal Setting”", "“Listening”: not yet", "“Questioning”: meets"):
        assert subject in text
    assert "Ben's decision" not in text
    assert text.index("Badges awarded") < text.index("You earned") < text.index("Decisions and feedback")
    assert "http://milepost.test/submissions/1" in text and "Milepost" in html
    assert to_ana["List-Unsubscribe"].startswith("<http://milepost.test/notifications/unsubscribe/")
    [to_ben] = smtp.to(ben.email)
    assert "Ben's decision" in text_of(to_ben) and "Goal Setting" not in text_of(to_ben)

    assert "0 digest(s)" in send_digests(app)  # idempotent: each item is digested once
    assert len(smtp.messages) == 2
    states = db.session.scalars(select(Notification.digest_state)).all()
    assert states == ["sent"] * 4


def test_items_turned_off_before_the_digest_are_dropped(app, smtp, make_user):
    user = make_user()
    choose(user, decision="digest")
    notify(db.session, user, "decision", subject="Old news", context={"message": "x"})
    db.session.commit()
    choose(user, decision="off")
    assert "1 item(s) dropped" in send_digests(app)
    assert smtp.messages == []


def test_review_waiting_is_a_digest_by_default(app, smtp, make_user, submission):
    reviewers = [make_user("coach"), make_user("coach")]
    services.notify_review_waiting(db.session, reviewers, submission, stage_label="Coach review")
    db.session.commit()
    assert smtp.messages == []
    send_digests(app)
    assert sorted(m["To"] for m in smtp.messages) == sorted(r.email for r in reviewers)
    assert "waiting for review at the coach review stage" in text_of(smtp.messages[0])


def test_the_preferences_page_saves_choices_and_leaves_out_security_mail(as_role):
    client = as_role("teacher")
    page = client.get("/notifications/preferences").get_data(as_text=True)
    assert "Decisions and feedback" in page and 'name="password_reset"' not in page
    assert "cannot be turned off" in page
    data = {kind: "immediate" for kind in services.preferences(db.session, client.user.id)}
    data.update(decision="digest", survey_open="off")
    assert client.post("/notifications/preferences", data=data).status_code == 302
    chosen = dict(db.session.execute(select(NotificationPreference.kind, NotificationPreference.channel)
                                     .where(NotificationPreference.user_id == client.user.id)).all())
    assert chosen["decision"] == "digest" and chosen["survey_open"] == "off" and "password_reset" not in chosen
    refused = client.post("/notifications/preferences", data={**data, "decision": "hourly"})
    assert refused.status_code == 400


def test_security_mail_cannot_be_turned_off(make_user):
    import pytest

    from milepost.core.errors import ValidationFailed

    user = make_user()
    with pytest.raises(ValidationFailed, match="always sent"):
        set_preference(db.session, user.id, "password_reset", "off")


def test_survey_and_reminder_helpers_notify_in_one_line(smtp, make_user):
    a, b = make_user(), make_user()
    services.notify_survey(db.session, [a, b], title="Pilot pre-survey", url="/surveys/3")
    services.notify_review_reminder(db.session, a, [{"label": "S-12", "url": "/reviews/12", "days": 6}])
    db.session.commit()
    assert smtp.subjects(b.email) == ["A survey for you: “Pilot pre-survey”"]
    assert sorted(smtp.subjects(a.email)) == ["1 review waiting for you", "A survey for you: “Pilot pre-survey”"]
    reminder = [m for m in smtp.to(a.email) if "review" in m["Subject"]][0]
    assert "S-12 (waiting 6 days)" in text_of(reminder)
