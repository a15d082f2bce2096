"""The right people get the right mail, through a real SMTP server, for the events that exist today."""
from __future__ import annotations

from sqlalchemy import select

from milepost.accounts.models import School
from milepost.accounts.services import invite_people
from milepost.evidence import services as evidence
from milepost.extensions import db
from milepost.notifications.models import Notification, OutgoingMail
from milepost.notifications.services import notify
from milepost.points import services as points
from tests.helpers.notifications import decide, html_of, text_of


def rows(user):
    return db.session.scalars(select(Notification).where(Notification.user_id == user.id)
                              .order_by(Notification.id)).all()


def test_submitting_tells_the_earner_by_email_and_in_app(smtp, submitted, teacher):
    [mail] = smtp.messages
    assert mail["To"] == teacher.email
    assert mail["Subject"] == "We received your evidence for “Goal Setting”"
    assert f"/submissions/{submitted.id}" in text_of(mail)
    assert "Milepost" in html_of(mail)  # the theme's display name brands the HTML part
    assert mail["List-Unsubscribe"].startswith("<http://milepost.test/notifications/unsubscribe/")
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    [row] = rows(teacher)
    assert row.kind == "submission_received" and row.url == f"/submissions/{submitted.id}" and row.read_at is None
    assert db.session.get(OutgoingMail, row.mail_id).status == "sent"


def test_not_yet_then_meets_emails_the_decisions_with_feedback_and_the_award_with_its_link(
        smtp, submitted, teacher, coach):
    decide(submitted, coach, "return", "Add a second goal sheet, please.")
    [returned] = [m for m in smtp.to(teacher.email) if "not yet" in m["Subject"]]
    assert "Add a second goal sheet, please." in text_of(returned)
    assert "Add a second goal sheet, please." in html_of(returned)

    evidence.confirm_privacy(db.session, submitted, by=teacher)
    evidence.transition(db.session, submitted, "resubmit", by=teacher)
    db.session.commit()
    decide(submitted, coach, "award", "Strong, clear evidence.")
    subjects = smtp.subjects(teacher.email)
    assert len(subjects) == 5  # received, not yet, received again, earned, meets
    [meets] = [m for m in smtp.to(teacher.email) if "meets the standard" in m["Subject"]]
    assert "Strong, clear evidence." in text_of(meets)
    [earned] = [m for m in smtp.to(teacher.email) if m["Subject"].startswith("You earned")]
    assert "http://milepost.test/points" in text_of(earned) or "/credentials/" in text_of(earned)
    assert smtp.to(coach.email) == []  # the reviewer is not told about their own decisions
    kinds = [r.kind for r in rows(teacher)]
    assert kinds.count("decision") == 2 and kinds.count("award_issued") == 1


def test_a_direct_award_emails_the_earner(smtp, make_user, make_badge, award):
    teacher = make_user()
    award(teacher, make_badge("listening", points=10))
    assert smtp.subjects(teacher.email) == ["You earned “Listening”"]


def test_a_tier_reached_is_emailed_and_the_coaches_hear_when_the_district_asks(
        app, smtp, make_user, make_badge, award):
    app.config["NOTIFY_COACH_ON_TIER"] = True
    hill, dale = School(name="Hill"), School(name="Dale")
    db.session.add_all([hill, dale])
    db.session.commit()
    teacher = make_user(name="Tia Teacher", school=hill)
    coach = make_user("coach", school=hill)
    elsewhere = make_user("coach", school=dale)
    points.save_tier(db.session, None, name="Associate", description="", threshold=50, min_credit_hours=0,
                     min_strands=0, badges_per_strand=1, required_badges=[], actor=None)
    db.session.commit()
    award(teacher, make_badge("one", points=60))
    assert "You reached Associate" in smtp.subjects(teacher.email)
    assert smtp.subjects(coach.email) == ["Tia Teacher reached Associate"]
    assert smtp.to(elsewhere.email) == []


def test_coaches_are_not_told_of_tiers_by_default(smtp, make_user, make_badge, award):
    school = School(name="Hill")
    db.session.add(school)
    db.session.commit()
    teacher, coach = make_user(school=school), make_user("coach", school=school)
    points.save_tier(db.session, None, name="Associate", description="", threshold=10, min_credit_hours=0,
                     min_strands=0, badges_per_strand=1, required_badges=[], actor=None)
    db.session.commit()
    award(teacher, make_badge("one", points=20))
    assert "You reached Associate" in smtp.subjects(teacher.email)
    assert smtp.to(coach.email) == []


def test_a_fulfilled_reward_is_emailed_to_the_claimant(smtp, make_user, make_badge, award):
    teacher, admin = make_user(), make_user("pd_admin")
    reward = points.save_reward(db.session, None, name="Conference pass", description="", points_needed=10,
                                tier=None, active=True, actor=admin)
    db.session.commit()
    award(teacher, make_badge("one", points=20))
    claim = points.claim_reward(db.session, reward, user=teacher)
    db.session.commit()
    before = len(smtp.messages)
    points.fulfil_claim(db.session, claim, by=admin, note="Your pass is at the front office.")
    db.session.commit()
    [mail] = smtp.messages[before:]
    assert mail["To"] == teacher.email and "Conference pass" in mail["Subject"]
    assert "Your pass is at the front office." in text_of(mail)


def test_a_password_reset_is_a_themed_security_mail_without_unsubscribe(client, smtp, make_user):
    user = make_user()
    assert client.post("/reset", data={"email": user.email}).status_code == 302
    [mail] = smtp.to(user.email)
    assert "Reset your Milepost password" == mail["Subject"]
    assert "http://milepost.test/reset/" in text_of(mail) and "http://milepost.test/reset/" in html_of(mail)
    assert "Milepost" in html_of(mail)
    assert mail["List-Unsubscribe"] is None and "unsubscribe" not in text_of(mail).lower()
    kept = db.session.scalar(select(OutgoingMail).where(OutgoingMail.kind == "password_reset"))
    assert kept.status == "sent" and kept.text_body == "" and kept.html_body == ""  # no live link kept
    [row] = rows(user)
    assert row.kind == "password_reset" and row.url == ""


def test_password_resets_are_sent_even_when_someone_turned_everything_off(client, smtp, make_user):
    from milepost.notifications.services import KINDS, set_preference

    user = make_user()
    for kind in KINDS.values():
        if not kind.security:
            set_preference(db.session, user.id, kind.name, "off")
    db.session.commit()
    client.post("/reset", data={"email": user.email})
    assert len(smtp.to(user.email)) == 1


def test_roster_invitations_go_out_as_themed_mail(app, smtp, make_user):
    person = make_user(password=None, email="new.person@school.example")
    with app.test_request_context():
        invite_people(db.session, [person.email])
        db.session.commit()
    [mail] = smtp.to("new.person@school.example")
    assert mail["Subject"] == "Your Milepost account" and "/reset/" in text_of(mail)


def test_nothing_is_written_or_sent_when_the_transaction_rolls_back(smtp, make_user):
    user = make_user()
    notify(db.session, user, "award_issued", subject="Never", context={"message": "x"}, url="/points")
    db.session.rollback()
    db.session.commit()
    assert smtp.messages == [] and rows(user) == []
    assert db.session.scalar(select(OutgoingMail)) is None


def test_nobody_is_told_twice_when_a_savepoint_inside_rolls_back(smtp, make_user):
    user = make_user()
    notify(db.session, user, "award_issued", subject="Kept", context={"message": "x"}, url="/points")
    try:
        with db.session.begin_nested():
            notify(db.session, user, "award_issued", subject="Undone", context={"message": "x"}, url="/points")
            raise RuntimeError
    except RuntimeError:
        pass
    db.session.commit()
    assert smtp.subjects(user.email) == ["Kept"]


def test_deactivated_people_are_not_notified(smtp, make_user):
    user = make_user(active=False)
    assert notify(db.session, user, "award_issued", subject="x", context={}, url="") is None
    db.session.commit()
    assert smtp.messages == []
