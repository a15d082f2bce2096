"""Reviews and surveys tell the right people: evidence waiting for review, a survey opening."""
from milepost.evidence import services as evidence
from milepost.extensions import db
from milepost.notifications.models import Notification
from milepost.surveys import services as surveys
from tests.helpers.evidence import PROMPTS, fill_in


def kinds_for(user_id):
    return [n.kind for n in db.session.scalars(db.select(Notification).filter_by(user_id=user_id))]


def test_submitting_tells_the_eligible_reviewers_and_not_others(make_user, make_badge):
    teacher, coach, other_teacher = make_user("teacher"), make_user("coach"), make_user("teacher")
    badge = make_badge("goals", prompts=PROMPTS)
    submission = evidence.start_badge(db.session, teacher, badge)
    fill_in(submission, teacher)
    evidence.transition(db.session, submission, "submit", by=teacher)
    db.session.commit()
    assert "review_waiting" in kinds_for(coach.id)
    assert "review_waiting" not in kinds_for(other_teacher.id)
    assert "review_waiting" not in kinds_for(teacher.id)


def test_publishing_an_open_survey_tells_its_audience(app, make_user, make_survey):
    coach, teacher, admin = make_user("coach"), make_user("teacher"), make_user("pd_admin")
    survey = make_survey(audience="role", audience_role="teacher", status="draft")
    with app.test_request_context():
        surveys.publish(db.session, survey, actor=admin)
    db.session.commit()
    assert "survey_open" in kinds_for(teacher.id)
    assert "survey_open" not in kinds_for(coach.id)
