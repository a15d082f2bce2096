"""The survey builder: templates in one click, adding, editing and reordering questions, settings,
invitations by email, monthly pulses and the demo data."""
from datetime import date

from sqlalchemy import func, select

from milepost.core.audit import AuditEvent
from milepost.core.mail import outbox_messages
from milepost.core.model import utcnow
from milepost.extensions import db
from milepost.notifications.models import Notification
from milepost.notifications.services import set_preference
from milepost.surveys import services
from milepost.surveys.models import Question, Survey, SurveyResponse, SurveySet
from tests.helpers.surveys import answer, likert


def reload(model, ident):
    db.session.expire_all()
    return db.session.get(model, ident)


def test_a_survey_is_created_from_a_template_in_one_click(pd_client):
    response = pd_client.post("/surveys/manage/from-template", data={"template": "educator_pre"})
    assert response.status_code == 302
    survey = db.session.scalar(select(Survey))
    assert survey.status == "draft" and survey.template_key == "educator_pre" and survey.anonymous
    assert {q.eval_level for q in survey.asked} >= {"reaction", "learning", "support", "use", "outcomes"}
    assert {q.kind for q in survey.questions} >= {"section", "likert", "single", "multiple", "number", "long_text"}
    page = pd_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Earning micro-credentials is a worthwhile use" in page


def test_adding_a_question_keeps_what_was_typed_when_it_is_refused(pd_client, make_survey):
    survey = make_survey(status="draft")
    response = pd_client.post(f"/surveys/{survey.id}/questions/new?kind=likert",
                              data={"prompt": "Coaching helped me", "options": "No\nYes", "eval_level": "support"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "5 or 7 labels" in page and 'value="Coaching helped me"' in page and "No\nYes" in page
    ok = pd_client.post(f"/surveys/{survey.id}/questions/new?kind=likert",
                        data={"prompt": "Coaching helped me", "options": "1\n2\n3\n4\n5\n6\n7", "required": "y",
                              "eval_level": ""})
    assert ok.status_code == 302
    survey = reload(Survey, survey.id)
    assert [q.prompt for q in survey.questions][-1] == "Coaching helped me"
    assert len(survey.questions[-1].options) == 7 and survey.questions[-1].key == "coaching_helped_me"


def test_questions_are_reordered_and_removed(pd_client, make_survey):
    survey = make_survey([likert("First", key="a"), likert("Second", key="b"), likert("Third", key="c")],
                         status="draft")
    third = survey.questions[2].id
    assert pd_client.post(f"/surveys/{survey.id}/questions/{third}/move", data={"direction": "up"}).status_code == 302
    assert [q.prompt for q in reload(Survey, survey.id).questions] == ["First", "Third", "Second"]
    first = survey.questions[0].id
    pd_client.post(f"/surveys/{survey.id}/questions/{first}/delete")
    assert [q.prompt for q in reload(Survey, survey.id).questions] == ["Third", "Second"]


def test_a_published_survey_with_answers_cannot_change_its_questions(pd_client, make_survey, make_user):
    survey = make_survey([likert("First", key="a")])
    answer(survey, make_user("teacher"), {0: 3})
    qid = survey.questions[0].id
    response = pd_client.post(f"/surveys/{survey.id}/questions/{qid}/delete", follow_redirects=True)
    assert "cannot change" in response.get_data(as_text=True)
    assert reload(Question, qid) is not None


def test_survey_settings_are_checked_and_saved(pd_client):
    bad = pd_client.post("/surveys/manage/new", data={"title": "Check-in", "audience": "role", "audience_role": "",
                                                      "audience_school_id": "0", "pilot_id": "0", "set_id": "0",
                                                      "wave": "", "opens_on": "2026-05-10", "closes_on": "2026-05-01"})
    assert bad.status_code == 400
    page = bad.get_data(as_text=True)
    assert "Please choose the role the survey is for." in page and "The closing date must be on or after" in page
    assert 'value="Check-in"' in page
    good = pd_client.post("/surveys/manage/new", data={"title": "Check-in", "audience": "role",
                                                       "audience_role": "coach", "audience_school_id": "0",
                                                       "pilot_id": "0", "set_id": "0", "wave": "", "anonymous": "y",
                                                       "opens_on": "2026-05-01", "closes_on": "2026-05-10"})
    assert good.status_code == 302
    survey = db.session.scalar(select(Survey))
    assert survey.audience_role == "coach" and survey.anonymous
    assert survey.closes_at.date() == date(2026, 5, 11)  # open through the whole closing day


def test_invitations_email_a_link_to_everyone_in_the_audience_who_has_not_answered(pd_client, make_survey, make_user):
    survey = make_survey(audience="role", audience_role="coach")
    done, waiting, quiet = make_user("coach"), make_user("coach"), make_user("coach")
    make_user("teacher")
    answer(survey, done, {0: 4})
    set_preference(db.session, quiet.id, "survey_open", "off")  # no survey mail, thank you
    db.session.commit()
    assert pd_client.post(f"/surveys/{survey.id}/invite").status_code == 302
    messages = outbox_messages()
    assert [m["To"] for m in messages] == [waiting.email]
    body = messages[0].get_body(("plain",)).get_content()
    assert f"/surveys/{survey.id}" in body and "/unsubscribe/" in body
    # Everyone who has not answered finds it in their notifications, the quiet one included.
    told = set(db.session.scalars(select(Notification.user_id).where(Notification.kind == "survey_open")))
    assert told == {waiting.id, quiet.id}
    assert reload(Survey, survey.id) and db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "survey.invite")) == 1


def test_a_monthly_pulse_opens_once_a_month_from_its_template(app, make_survey, pd_client):
    survey = make_survey([likert("Manageable", key="m")], status="draft", title="Pulse")
    assert pd_client.post(f"/surveys/{survey.id}/pulse", data={"days_open": "10"}).status_code == 302
    survey = reload(Survey, survey.id)
    assert survey.status == "template" and survey.survey_set.kind == "pulse"
    runner = app.test_cli_runner()
    month = utcnow().strftime("%Y-%m")
    first = runner.invoke(args=["open-pulse-surveys", "--no-invite"])
    assert first.exit_code == 0 and "Opened \"Pulse:" in first.output, first.output
    again = runner.invoke(args=["open-pulse-surveys", "--no-invite"])
    assert "Nothing to open" in again.output
    db.session.expire_all()
    opened = db.session.scalars(select(Survey).where(Survey.wave == month)).all()
    assert len(opened) == 1 and opened[0].status == "published" and opened[0].is_open(utcnow())
    assert opened[0].set_id == survey.set_id and [q.prompt for q in opened[0].questions] == ["Manageable"]
    assert runner.invoke(args=["open-pulse-surveys", "--month", "May"]).exit_code != 0


def test_the_demo_has_a_finished_pilot_with_matched_answers(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    surveys = db.session.scalar(select(func.count(Survey.id)))
    responses = db.session.scalar(select(func.count()).select_from(SurveyResponse))
    assert surveys == 4 and responses > 30
    waves = db.session.scalar(select(SurveySet).where(SurveySet.kind == "waves"))
    comparison = services.set_comparison(db.session, waves, minimum=5)
    assert comparison["rows"] and all(not row["suppressed"] for row in comparison["rows"])
    assert all(s.closes_at < utcnow() for s in waves.surveys)
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert db.session.scalar(select(func.count(Survey.id))) == surveys
    assert db.session.scalar(select(func.count()).select_from(SurveyResponse)) == responses
