"""Answering: one response per person, editable until close, progress saved, required answers
enforced with nothing typed lost, the survey window, and the audience (403 outside it)."""
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from milepost.core.errors import InvalidTransition
from milepost.core.model import utcnow
from milepost.extensions import db
from milepost.surveys import services
from milepost.surveys.models import SurveyParticipation, SurveyResponse
from tests.helpers.surveys import answer, likert

QUESTIONS = [likert(), {"kind": "short_text", "prompt": "One thing to keep", "required": False}]


def rows(model, **where):
    db.session.expire_all()
    return db.session.scalars(select(model).filter_by(**where)).all()


def test_my_surveys_lists_an_open_survey_for_me(make_survey, as_role):
    make_survey(QUESTIONS, title="Spring check-in")
    client = as_role("teacher")
    page = client.get("/surveys/").get_data(as_text=True)
    assert "Spring check-in" in page and "Not started" in page
    assert "My surveys" in client.get("/").get_data(as_text=True)


def test_a_teacher_answers_once_and_can_change_the_answer_until_close(make_survey, as_role):
    survey = make_survey(QUESTIONS)
    client = as_role("teacher")
    lk, text = (q.id for q in survey.asked)
    first = client.post(f"/surveys/{survey.id}", data={f"q{lk}": "2", f"q{text}": "PLC time", "action": "submit"})
    assert first.status_code == 302
    again = client.post(f"/surveys/{survey.id}", data={f"q{lk}": "5", f"q{text}": "", "action": "submit"})
    assert again.status_code == 302
    responses = rows(SurveyResponse, survey_id=survey.id)
    assert len(responses) == 1 and responses[0].submitted
    assert [(a.question_id, a.value) for a in responses[0].answers] == [(lk, 5)]
    assert len(rows(SurveyParticipation, survey_id=survey.id)) == 1
    page = client.get(f"/surveys/{survey.id}").get_data(as_text=True)
    assert "Update my answers" in page and f'id="q{lk}-5" name="q{lk}" value="5" checked' in page


def test_progress_is_saved_without_submitting(make_survey, as_role):
    survey = make_survey(QUESTIONS)
    client = as_role("teacher")
    text = survey.asked[1].id
    response = client.post(f"/surveys/{survey.id}", data={f"q{text}": "Half done", "action": "save"})
    assert response.status_code == 302
    saved = rows(SurveyResponse, survey_id=survey.id)
    assert len(saved) == 1 and not saved[0].submitted
    assert rows(SurveyParticipation, survey_id=survey.id)[0].submitted is False
    page = client.get(f"/surveys/{survey.id}").get_data(as_text=True)
    assert 'value="Half done"' in page and "Save and finish later" in page


def test_submitting_without_a_required_answer_explains_and_keeps_what_was_typed(make_survey, as_role):
    survey = make_survey(QUESTIONS)
    client = as_role("teacher")
    lk, text = (q.id for q in survey.asked)
    response = client.post(f"/surveys/{survey.id}", data={f"q{text}": "Keep the <b>coaching</b>", "action": "submit"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "I found the pilot useful. – This question needs an answer." in page
    assert 'value="Keep the &lt;b&gt;coaching&lt;/b&gt;"' in page
    saved = rows(SurveyResponse, survey_id=survey.id)
    assert len(saved) == 1 and not saved[0].submitted  # the progress is kept as a draft


def test_an_answer_in_the_wrong_shape_is_shown_beside_its_question(make_survey, as_role):
    survey = make_survey([{"kind": "number", "prompt": "Hours", "max_value": 10}])
    client = as_role("teacher")
    qid = survey.asked[0].id
    response = client.post(f"/surveys/{survey.id}", data={f"q{qid}": "12", "action": "submit"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Please enter 10 or less." in page and 'value="12"' in page and 'aria-invalid="true"' in page


def test_the_database_refuses_a_second_response_row_for_the_same_person(make_survey, make_user):
    survey = make_survey(QUESTIONS)
    teacher = make_user("teacher")
    answer(survey, teacher, {0: 3})
    name = services.pseudonym(survey, teacher)
    db.session.add(SurveyResponse(id="x" * 32, survey_id=survey.id, pseudonym=name))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


@pytest.mark.parametrize("opens_in, closes_in, reason",
                         [(2, 9, "This survey opens on"), (-9, -2, "This survey closed")])
def test_answers_are_refused_outside_the_survey_window_with_the_reason(make_survey, as_role, opens_in, closes_in,
                                                                       reason):
    survey = make_survey(QUESTIONS, opens_in=opens_in, closes_in=closes_in)
    client = as_role("teacher")
    lk = survey.asked[0].id
    response = client.post(f"/surveys/{survey.id}", data={f"q{lk}": "4", "action": "submit"})
    assert response.status_code == 409 and reason in response.get_data(as_text=True)
    page = client.get(f"/surveys/{survey.id}").get_data(as_text=True)
    assert ("opens on" in page if opens_in > 0 else "answers can no longer be given or changed" in page)
    assert 'name="action"' not in page
    assert rows(SurveyResponse, survey_id=survey.id) == []


def test_an_answer_cannot_be_changed_after_the_survey_closes(make_survey, make_user):
    survey = make_survey(QUESTIONS)
    teacher = make_user("teacher")
    answer(survey, teacher, {0: 3})
    with pytest.raises(InvalidTransition):
        answer(survey, teacher, {0: 5}, now=utcnow() + timedelta(days=8))
    db.session.rollback()


def test_people_outside_the_audience_get_403(make_survey, as_role, make_user, app):
    from milepost.accounts.services import save_school
    school = save_school(db.session, None, name="North School", actor=None)
    db.session.commit()
    for_coaches = make_survey(QUESTIONS, audience="role", audience_role="coach")
    for_school = make_survey(QUESTIONS, audience="school", school=school)
    draft = make_survey(QUESTIONS, status="draft")
    client = as_role("teacher")
    for survey in (for_coaches, for_school, draft):
        assert client.get(f"/surveys/{survey.id}").status_code == 403
        lk = survey.asked[0].id
        assert client.post(f"/surveys/{survey.id}", data={f"q{lk}": "4", "action": "submit"}).status_code == 403
    assert "Pilot check-in" not in client.get("/surveys/").get_data(as_text=True)
    assert as_role("coach").get(f"/surveys/{for_coaches.id}").status_code == 200


def test_a_pilot_survey_is_only_for_the_pilot_cohort(make_survey, as_role):
    inside, outside = as_role("teacher"), as_role("teacher")
    pilot = services.save_pilot(db.session, None, name="Goals pilot", goals="", starts_on=utcnow().date(),
                                ends_on=utcnow().date() + timedelta(days=60), teacher_ids=[inside.user.id],
                                reviewer_ids=[], badge_ids=[], actor=None)
    db.session.commit()
    survey = make_survey(QUESTIONS, audience="pilot", pilot=pilot)
    assert inside.get(f"/surveys/{survey.id}").status_code == 200
    assert outside.get(f"/surveys/{survey.id}").status_code == 403
    assert "Pilot check-in" in inside.get("/surveys/").get_data(as_text=True)
    assert "Pilot check-in" not in outside.get("/surveys/").get_data(as_text=True)


def test_only_the_pd_office_can_preview_build_and_publish(make_survey, as_role):
    survey = make_survey(QUESTIONS, status="draft")
    for role in ("teacher", "coach", "leader"):
        client = as_role(role)
        assert client.get(f"/surveys/{survey.id}/preview").status_code == 403
        assert client.get(f"/surveys/{survey.id}/questions").status_code == 403
        assert client.post(f"/surveys/{survey.id}/publish").status_code == 403
    staff = as_role("pd_admin")
    assert "Nothing can be submitted from here" in staff.get(f"/surveys/{survey.id}/preview").get_data(as_text=True)
    assert staff.post(f"/surveys/{survey.id}/publish").status_code == 302
    db.session.expire_all()
    assert survey.status == "published"
