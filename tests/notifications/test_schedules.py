"""The notices cron sends, through the real SMTP server: `milepost send-reminders` (stale reviews, stuck
work) and `milepost send-survey-reminders` (a survey opening on its day, a survey closing soon). Both
go through notifications, so each person's choice (straight away, daily digest, off) and the
unsubscribe link apply."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from milepost.core.model import utcnow
from milepost.extensions import db
from milepost.notifications.models import Notification
from milepost.notifications.services import channel_for, set_preference
from milepost.reviews.models import ReviewTrack
from milepost.surveys import services as surveys
from milepost.surveys.models import Survey
from tests.helpers.notifications import html_of, text_of
from tests.helpers.surveys import answer


def run(app, *args) -> str:
    result = app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result.output


def choose(user, **channels):
    for kind, channel in channels.items():
        set_preference(db.session, user.id, kind, channel)
    db.session.commit()


def kinds_of(user) -> list[str]:
    return db.session.scalars(select(Notification.kind).where(Notification.user_id == user.id)
                              .order_by(Notification.id)).all()


def unsubscribe_path(mail) -> str:
    return re.search(r"<http://milepost\.test(/notifications/unsubscribe/[^>]+)>", mail["List-Unsubscribe"]).group(1)


def waited(submission, days: int) -> None:
    db.session.execute(update(ReviewTrack).where(ReviewTrack.submission_id == submission.id)
                       .values(entered_at=utcnow() - timedelta(days=days)))
    db.session.commit()


@pytest.fixture
def waiting(people, use_chain, send, smtp):
    """waiting(days, person, kind=channel) -> the teacher's evidence, waiting at a coach stage for `days`
    days, with that person's choice made and the outbox emptied of what sending it mailed."""

    def make(days: int, person, **channels):
        use_chain("coach")
        submission = send(people.teacher)
        waited(submission, days)
        choose(person, **channels)
        smtp.messages.clear()
        return submission

    return make


def published_days_ago(days: int) -> None:
    """Every survey published (and so announced) `days` days ago."""
    db.session.execute(update(Survey).values(published_at=utcnow() - timedelta(days=days)))
    db.session.commit()


# --------------------------------------------------------------------------- send-reminders


def test_stale_review_reminders_are_notifications_that_follow_each_reviewers_choice(
        app, client, smtp, people, waiting):
    stale = waiting(6, people.coach2, review_reminder="off")

    assert "2 reviewer reminder(s)" in run(app, "send-reminders")
    [mail] = smtp.to(people.coach.email)
    assert mail["Subject"] == "1 review waiting for you"
    text = text_of(mail)
    assert f"http://milepost.test/reviews/{stale.id}" in text and "(waiting 6 days)" in text
    assert f'href="http://milepost.test/reviews/{stale.id}"' in html_of(mail)
    assert "Goal Setting" in text and "Milepost" in html_of(mail)
    assert smtp.to(people.coach2.email) == []  # email off: only the in-app row
    assert kinds_of(people.coach2).count("review_reminder") == 1

    assert "0 reviewer reminder(s)" in run(app, "send-reminders")  # once a day
    assert len(smtp.to(people.coach.email)) == 1

    # The one-click link in the reminder turns reminders off for that reviewer, and only reminders.
    assert client.post(unsubscribe_path(mail)).status_code == 200
    db.session.expire_all()
    assert channel_for(db.session, people.coach.id, "review_reminder") == "off"
    assert channel_for(db.session, people.coach.id, "review_waiting") == "digest"
    from milepost.reviews import services as reviews

    reviews.send_reminders(db.session, now=utcnow() + timedelta(days=1))
    db.session.commit()
    assert len(smtp.to(people.coach.email)) == 1  # the next day: in the app, not by email
    assert kinds_of(people.coach).count("review_reminder") == 2


def test_reminders_chosen_for_the_digest_wait_for_send_digests(app, smtp, people, waiting):
    waiting(6, people.coach, review_reminder="digest")
    run(app, "send-reminders")
    assert smtp.to(people.coach.email) == [] and len(smtp.to(people.coach2.email)) == 1
    run(app, "send-digests")
    [digest] = smtp.to(people.coach.email)
    assert digest["Subject"].startswith("Your Milepost digest") and "1 review waiting for you" in text_of(digest)
    assert "Review reminders" in text_of(digest)


def test_stuck_work_tells_the_pd_office_through_its_own_kind(app, smtp, people, waiting):
    stuck = waiting(12, people.pd2, review_stuck="off")
    assert "2 PD office reminder(s)" in run(app, "send-reminders")
    [mail] = smtp.to(people.pd.email)
    assert mail["Subject"] == "1 submission stuck in review"
    assert f"http://milepost.test/reviews/{stuck.id}" in text_of(mail) and "waiting 12 days" in text_of(mail)
    assert "/reviews/overview" in text_of(mail) and mail["List-Unsubscribe"]
    assert smtp.to(people.pd2.email) == [] and "review_stuck" in kinds_of(people.pd2)


# --------------------------------------------------------------------------- send-survey-reminders


@pytest.fixture
def staff(make_user):
    return make_user("pd_admin", name="Dana District")


def test_a_survey_closing_soon_reminds_only_people_who_have_not_answered_once(
        app, smtp, make_user, make_survey, staff):
    answered, saved, silent, quiet = (make_user("teacher", name=n) for n in ("Ann", "Sam", "Sid", "Quin"))
    make_user("coach", name="Not in the audience")
    survey = make_survey(audience="role", audience_role="teacher", opens_in=-5, closes_in=1, title="Pilot pulse")
    published_days_ago(5)
    answer(survey, answered, {0: 4})
    answer(survey, saved, {0: 2}, submit=False)  # a saved draft is not an answer yet
    choose(quiet, survey_closing="off")

    output = run(app, "send-survey-reminders")
    assert '"Pilot pulse" closes soon: 3 person(s)' in output
    assert sorted(m["To"] for m in smtp.messages) == sorted([saved.email, silent.email])
    mail = smtp.to(silent.email)[0]
    assert mail["Subject"] == "“Pilot pulse” closes soon"
    last_day = survey.closes_at - timedelta(seconds=1)
    assert f"The last day to answer is {last_day.day} {last_day:%B %Y}." in text_of(mail)
    assert f"http://milepost.test/surveys/{survey.id}" in text_of(mail)
    assert mail["List-Unsubscribe"].startswith("<http://milepost.test/notifications/unsubscribe/")
    assert kinds_of(quiet) == ["survey_closing"] and kinds_of(answered) == []

    assert "Nothing to send" in run(app, "send-survey-reminders")  # running again sends nothing
    assert len(smtp.messages) == 2


def test_closing_reminders_wait_until_the_window_and_until_the_survey_has_been_open_a_day(
        app, smtp, make_user, make_survey):
    person = make_user("teacher")
    make_survey(opens_in=-3, closes_in=3)
    published_days_ago(3)
    set_preference(db.session, person.id, "survey_open", "off")  # it was announced before; not the point here
    db.session.commit()
    run(app, "send-survey-reminders")
    assert smtp.messages == [] and "survey_closing" not in kinds_of(person)  # 3 days left, the setting says 2

    assert "closes soon: 1 person(s)" in run(app, "send-survey-reminders", "--days", "4")
    assert [m["Subject"] for m in smtp.to(person.email)] == ["“Pilot check-in” closes soon"]

    # A two-day survey opened an hour ago: people just heard it opened, no "closes soon" yet.
    newcomer = make_user("teacher")
    short = make_survey(opens_in=0, closes_in=2, title="Short one")
    db.session.execute(update(Survey).where(Survey.id == short.id)
                       .values(opens_at=utcnow() - timedelta(hours=1), published_at=utcnow() - timedelta(hours=1)))
    db.session.commit()
    output = run(app, "send-survey-reminders")
    assert '"Short one" is open' in output and '"Short one" closes soon' not in output
    assert "A survey for you: “Short one”" in smtp.subjects(newcomer.email)


def test_a_survey_published_in_advance_tells_its_audience_on_the_day_it_opens(
        app, smtp, make_user, make_survey, staff):
    teacher, coach = make_user("teacher"), make_user("coach")
    survey = make_survey(audience="role", audience_role="teacher", status="draft", opens_in=3, closes_in=20,
                         title="Mid-pilot survey")
    with app.test_request_context():
        surveys.publish(db.session, survey, actor=staff)
    db.session.commit()
    assert smtp.messages == []  # not open yet
    assert "Nothing to send" in run(app, "send-survey-reminders")

    db.session.execute(update(Survey).values(opens_at=utcnow() - timedelta(minutes=5)))
    db.session.commit()
    assert '"Mid-pilot survey" is open: 1 person(s) told.' in run(app, "send-survey-reminders")
    [mail] = smtp.messages
    assert mail["To"] == teacher.email and mail["Subject"] == "A survey for you: “Mid-pilot survey”"
    assert f"http://milepost.test/surveys/{survey.id}" in text_of(mail)
    assert kinds_of(coach) == []
    run(app, "send-survey-reminders")
    assert len(smtp.messages) == 1  # told once

    late = make_user("teacher")  # joins the audience later: hears about it on the next run, once
    run(app, "send-survey-reminders")
    assert smtp.subjects(late.email) == ["A survey for you: “Mid-pilot survey”"]
    assert len(smtp.messages) == 2


def test_publishing_an_open_survey_emails_its_audience_once(app, smtp, make_user, make_survey, staff):
    teacher = make_user("teacher")
    survey = make_survey(status="draft", title="Readiness check")
    with app.test_request_context():
        surveys.publish(db.session, survey, actor=staff)
    db.session.commit()
    assert smtp.subjects(teacher.email) == ["A survey for you: “Readiness check”"]
    assert "Nothing to send" in run(app, "send-survey-reminders")  # already told at publishing
    assert len(smtp.to(teacher.email)) == 1


def test_survey_notices_follow_the_digest_choice(app, smtp, make_user, make_survey):
    person = make_user("teacher")
    choose(person, survey_closing="digest")
    make_survey(opens_in=-4, closes_in=1, title="Wrap-up")
    published_days_ago(4)
    run(app, "send-survey-reminders")
    assert smtp.messages == []
    run(app, "send-digests")
    [digest] = smtp.to(person.email)
    assert "“Wrap-up” closes soon" in text_of(digest) and "Surveys closing soon" in text_of(digest)


def test_a_monthly_pulse_opening_is_a_notification(app, smtp, make_user, make_survey, staff):
    person = make_user("teacher")
    template = make_survey(status="draft", title="Pulse")
    surveys.make_pulse(db.session, template, days_open=10, actor=staff)
    db.session.commit()
    output = run(app, "open-pulse-surveys")
    assert "2 invited" in output  # the audience is everyone: the teacher and the PD admin
    [mail] = smtp.to(person.email)
    assert mail["Subject"].startswith("A survey for you: “Pulse:") and mail["List-Unsubscribe"]
    assert "Nothing to send" in run(app, "send-survey-reminders")


# --------------------------------------------------------------------------- the other scheduled or wired events


def test_evidence_waiting_for_review_reaches_the_reviewers_daily_digest(app, smtp, people, use_chain, send):
    use_chain("coach")
    choose(people.coach2, review_waiting="immediate")
    smtp.messages.clear()
    sub = send(people.teacher)
    assert smtp.subjects(people.coach2.email) == ["Evidence for “Goal Setting” is waiting for review"]
    assert smtp.to(people.coach.email) == []  # the default is the daily digest
    run(app, "send-digests")
    [digest] = smtp.to(people.coach.email)
    assert "Reviews waiting for you" in text_of(digest) and f"http://milepost.test/reviews/{sub.id}" in text_of(digest)
    assert smtp.to(people.outsider.email) == [] and smtp.to(people.peer.email) == []  # not reviewers at this stage


def test_a_roster_import_through_the_page_invites_new_people_by_themed_mail(as_role, smtp):
    import io

    client = as_role("pd_admin")
    roster = "name,email,school,roles,plcs\nNia New,nia.new@school.example,Hill Elementary,teacher,\n"
    response = client.post("/admin/roster", data={"file": (io.BytesIO(roster.encode()), "roster.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 200
    [mail] = smtp.to("nia.new@school.example")
    assert mail["Subject"] == "Your Milepost account"
    assert "http://milepost.test/reset/" in text_of(mail) and "http://milepost.test/reset/" in html_of(mail)
    assert mail["List-Unsubscribe"] is None  # a security mail: always sent, no unsubscribe


def test_an_award_mail_carries_the_public_share_link(smtp, make_user, make_badge, award):
    teacher = make_user()
    made = award(teacher, make_badge("listening", points=10))
    [mail] = smtp.to(teacher.email)
    assert f"http://milepost.test/credentials/awards/{made.public_id}" in text_of(mail)
