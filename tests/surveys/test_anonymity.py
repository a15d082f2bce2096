"""Anonymous surveys: no stored row, page or export joins an answer to a person; pseudonyms match
a person across one set only; small groups are never shown."""
import csv
import io

from sqlalchemy import inspect, select, text

from milepost.extensions import db
from milepost.surveys import services
from milepost.surveys.models import SurveyResponse
from tests.helpers.surveys import answer, likert

QUESTIONS = [likert(), {"kind": "long_text", "prompt": "What should change?"}]


def five_answers(survey, make_user, *, names=None):
    people = [make_user("teacher", name=(names or [f"Teacher {i}" for i in range(5)])[i]) for i in range(5)]
    for i, person in enumerate(people):
        answer(survey, person, {0: 1 + i, 1: f"Idea number {i} from {person.display_name}"[:14]})
    return people


def test_an_anonymous_response_row_holds_no_user_id_and_no_time(make_survey, make_user):
    survey = make_survey(QUESTIONS)
    teacher = make_user("teacher")
    answer(survey, teacher, {0: 4, 1: "More time"})
    stored = db.session.execute(text("SELECT * FROM survey_response")).mappings().all()
    assert len(stored) == 1 and stored[0]["user_id"] is None
    assert len(stored[0]["id"]) == 32 and stored[0]["pseudonym"] == services.pseudonym(survey, teacher)
    columns = {c["name"] for c in inspect(db.engine).get_columns("survey_response")}
    assert not {c for c in columns if "_at" in c or "time" in c}
    answer_columns = {c["name"] for c in inspect(db.engine).get_columns("survey_answer")}
    assert answer_columns == {"response_id", "question_id", "value"}
    # The marker that says *that* she answered has no column that leads to *what* she answered.
    marker_columns = {c["name"] for c in inspect(db.engine).get_columns("survey_participation")}
    assert marker_columns == {"survey_id", "user_id", "submitted", "invited_at"}


def test_an_identified_response_keeps_the_person(make_survey, make_user):
    survey = make_survey(QUESTIONS, anonymous=False)
    teacher = make_user("teacher")
    answer(survey, teacher, {0: 4})
    assert db.session.scalar(select(SurveyResponse.user_id)) == teacher.id


def test_the_pseudonym_is_the_same_across_a_set_and_different_elsewhere(make_survey, make_set, make_user):
    waves = make_set()
    pre = make_survey(QUESTIONS, survey_set=waves, wave="pre")
    post = make_survey(QUESTIONS, survey_set=waves, wave="post")
    alone = make_survey(QUESTIONS)
    teacher, other = make_user("teacher"), make_user("teacher")
    assert services.pseudonym(pre, teacher) == services.pseudonym(post, teacher)
    assert services.pseudonym(pre, teacher) != services.pseudonym(alone, teacher)
    assert services.pseudonym(pre, teacher) != services.pseudonym(pre, other)
    assert len(services.pseudonym(pre, teacher)) == 64


def test_results_and_export_of_an_anonymous_survey_show_no_names(make_survey, make_user, as_role):
    survey = make_survey(QUESTIONS)
    people = five_answers(survey, make_user, names=["Zelda Quist", "Yusuf Ames", "Xena Park", "Will Ode", "Vera Lund"])
    for role in ("pd_admin", "leader"):
        client = as_role(role)
        page = client.get(f"/surveys/{survey.id}/results").get_data(as_text=True)
        assert "Strongly agree" in page
        for person in people:
            assert person.display_name not in page and person.email not in page
    export = as_role("pd_admin").get(f"/surveys/{survey.id}/results.csv")
    assert export.status_code == 200
    body = export.get_data(as_text=True)
    for person in people:
        assert person.display_name not in body and person.email not in body
    header = next(csv.reader(io.StringIO(body)))
    assert header[0] == "respondent" and "name" not in header and "email" not in header


def test_written_answers_are_listed_alphabetically_not_in_the_order_given(make_survey, make_user, as_role):
    survey = make_survey(QUESTIONS)
    for idea in ["pairing", "More time", "clearer examples", "Video help", "Less writing"]:
        answer(survey, make_user("teacher"), {0: 3, 1: idea})
    page = as_role("pd_admin").get(f"/surveys/{survey.id}/results").get_data(as_text=True)
    positions = [page.index(idea)
                 for idea in ["clearer examples", "Less writing", "More time", "pairing", "Video help"]]
    assert positions == sorted(positions)


def test_leaders_never_see_names_on_an_identified_survey_but_the_pd_office_does(make_survey, make_user, as_role):
    survey = make_survey(QUESTIONS, anonymous=False)
    people = five_answers(survey, make_user, names=["Zelda Quist", "Yusuf Ames", "Xena Park", "Will Ode", "Vera Lund"])
    leader_page = as_role("leader").get(f"/surveys/{survey.id}/results").get_data(as_text=True)
    assert all(p.display_name not in leader_page for p in people)
    staff_page = as_role("pd_admin").get(f"/surveys/{survey.id}/results").get_data(as_text=True)
    assert "Zelda Quist" in staff_page
    assert as_role("leader").get(f"/surveys/{survey.id}/results.csv").status_code == 403


def test_a_group_smaller_than_the_minimum_is_not_shown(make_survey, make_user, as_role):
    survey = make_survey(QUESTIONS)
    for i in range(4):
        answer(survey, make_user("teacher"), {0: 5, 1: f"secret idea {i}"})
    client = as_role("pd_admin")
    page = client.get(f"/surveys/{survey.id}/results").get_data(as_text=True)
    assert "Fewer than 5 answers in this group" in page
    assert "secret idea" not in page and "Strongly agree" not in page
    export = client.get(f"/surveys/{survey.id}/results.csv")
    assert export.status_code == 302


def test_a_filter_that_leaves_a_small_group_is_suppressed_too(make_survey, make_user, as_role, app):
    from milepost.accounts.services import save_school
    north = save_school(db.session, None, name="North", actor=None)
    south = save_school(db.session, None, name="South", actor=None)
    db.session.commit()
    survey = make_survey(QUESTIONS)
    for i in range(7):
        answer(survey, make_user("teacher", school=north if i < 5 else south), {0: 4, 1: f"idea {i}"})
    client = as_role("leader")
    everyone = client.get(f"/surveys/{survey.id}/results").get_data(as_text=True)
    assert "7 submitted responses" in everyone and "Fewer than" not in everyone
    # North alone (5) would reveal South's 2 by subtraction from everyone (7), so it is hidden too.
    north_page = client.get(f"/surveys/{survey.id}/results?school={north.id}").get_data(as_text=True)
    assert "Hidden to protect a smaller group" in north_page and "Strongly agree" not in north_page
    small = client.get(f"/surveys/{survey.id}/results?school={south.id}").get_data(as_text=True)
    assert "Fewer than 5 answers in this group" in small and "idea 5" not in small
    coaches = client.get(f"/surveys/{survey.id}/results?role=coach").get_data(as_text=True)
    assert "No submitted answers in this group" in coaches


def test_the_minimum_group_is_a_setting(app, make_survey, make_user, as_role):
    app.config["SURVEY_MIN_GROUP"] = 3
    survey = make_survey(QUESTIONS)
    for _ in range(3):
        answer(survey, make_user("teacher"), {0: 2})
    assert "Fewer than" not in as_role("leader").get(f"/surveys/{survey.id}/results").get_data(as_text=True)


def test_sealing_a_finished_set_forgets_its_key_and_keeps_the_results(make_survey, make_set, make_user, as_role):
    from datetime import timedelta

    from milepost.core.model import utcnow
    waves = make_set()
    survey = make_survey(QUESTIONS, survey_set=waves, wave="pre")
    for _ in range(5):
        answer(survey, make_user("teacher"), {0: 4})
    assert services.seal_closed(db.session) == 0  # still open
    assert services.seal_closed(db.session, now=utcnow() + timedelta(days=8)) == 1
    db.session.commit()
    db.session.expire_all()
    assert waves.pseudonym_key is None
    assert "Strongly agree" in as_role("leader").get(f"/surveys/{survey.id}/results").get_data(as_text=True)
