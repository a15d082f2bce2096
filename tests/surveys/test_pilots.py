"""Pilots: the cohort from people, a school or a PLC; the dashboard's numbers; its query count
does not grow with the cohort; who may see it."""

import pytest

from milepost.accounts.services import save_plc, save_school
from milepost.extensions import db
from milepost.surveys import services
from milepost.surveys.models import PilotMember
from tests.helpers.app import count_queries
from tests.helpers.surveys import add_submission, answer, likert, new_pilot


def test_a_school_or_a_plc_adds_its_teachers_to_the_cohort(app, make_user):
    school = save_school(db.session, None, name="North", actor=None)
    db.session.commit()
    at_school = [make_user("teacher", school=school) for _ in range(2)]
    make_user("leader", school=school)  # not a teacher: not added
    in_plc = make_user("teacher")
    plc = save_plc(db.session, None, name="Maths", school=None, facilitator=None, members=[in_plc], actor=None)
    coach = make_user("coach")
    db.session.commit()
    pilot = new_pilot([], [coach], add_school_id=school.id, add_plc_id=plc.id)
    members = {(m.user_id, m.role) for m in pilot.members}
    assert members == {(at_school[0].id, "teacher"), (at_school[1].id, "teacher"), (in_plc.id, "teacher"),
                       (coach.id, "reviewer")}


def test_the_dashboard_counts_participation_states_awards_turnaround_and_response_rates(make_user, make_badge,
                                                                                       make_survey, as_role):
    badge, other = make_badge("goal-setting"), make_badge("other-badge")
    teachers = [make_user("teacher") for _ in range(4)]
    pilot = new_pilot(teachers, [make_user("coach")], [badge])
    add_submission(teachers[0], badge, "awarded", decided_days=2)
    add_submission(teachers[1], badge, "awarded", decided_days=6)
    add_submission(teachers[2], badge, "draft")
    add_submission(teachers[3], other, "awarded", decided_days=1)  # not in scope
    survey = make_survey([likert()], audience="pilot", pilot=pilot)
    answer(survey, teachers[0], {0: 4})
    answer(survey, teachers[1], {0: 5}, submit=False)  # saved, not submitted: not counted
    dashboard = services.pilot_dashboard(db.session, pilot)
    assert (dashboard.teachers, dashboard.reviewers, dashboard.started) == (4, 1, 3)
    assert dashboard.by_state == {"awarded": 2, "draft": 1} and dashboard.awards == 2
    assert (dashboard.turnaround_mean, dashboard.turnaround_median, dashboard.decisions) == (4.0, 4.0, 2)
    assert dashboard.surveys[0]["answered"] == 1 and dashboard.surveys[0]["audience"] == 5
    assert dashboard.surveys[0]["rate"] == pytest.approx(20.0)
    page = as_role("leader").get(f"/pilots/{pilot.id}").get_data(as_text=True)
    assert "Goal-setting pilot" in page and "4.0 days" in page and "1 of 5" in page


def _dashboard_queries(client, pilot_id):
    db.session.expire_all()
    with count_queries() as queries:
        assert client.get(f"/pilots/{pilot_id}").status_code == 200
    return len(queries)


def test_the_dashboard_query_count_does_not_grow_with_the_cohort(make_user, make_badge, make_survey, as_role):
    badge = make_badge("goal-setting")
    client = as_role("pd_admin")
    counts = []
    for size, name in ((3, "Small pilot"), (12, "Large pilot")):
        teachers = [make_user("teacher") for _ in range(size)]
        pilot = new_pilot(teachers, [make_user("coach")], [badge], name=name)
        for i, teacher in enumerate(teachers):
            add_submission(teacher, badge, ("awarded", "returned", "submitted")[i % 3],
                           decided_days=i + 1 if i % 3 < 2 else None)
        for wave in range(2):
            survey = make_survey([likert()], audience="pilot", pilot=pilot, title=f"{name} {wave}")
            for teacher in teachers[:2]:
                answer(survey, teacher, {0: 3})
        counts.append(_dashboard_queries(client, pilot.id))
    assert counts[0] == counts[1], counts


@pytest.mark.parametrize("role", ["teacher", "coach"])
def test_teachers_and_coaches_cannot_open_a_pilot_dashboard(make_user, as_role, role):
    pilot = new_pilot([make_user("teacher")])
    client = as_role(role)
    assert client.get(f"/pilots/{pilot.id}").status_code == 403
    assert client.get("/surveys/manage").status_code == 403
    assert client.get(f"/pilots/{pilot.id}/edit").status_code == 403


def test_leaders_read_dashboards_but_cannot_change_pilots(make_user, as_role):
    pilot = new_pilot([make_user("teacher")])
    leader = as_role("leader")
    assert leader.get(f"/pilots/{pilot.id}").status_code == 200
    assert leader.get(f"/pilots/{pilot.id}/edit").status_code == 403
    assert leader.post(f"/pilots/{pilot.id}/surveys").status_code == 403
    assert leader.get("/pilots/new").status_code == 403


def test_the_pd_office_defines_a_pilot_and_a_bad_form_keeps_what_was_typed(make_user, make_badge, as_role):
    badge = make_badge("goal-setting")
    teacher = make_user("teacher", name="Tess Teacher")
    client = as_role("pd_admin")
    bad = client.post("/pilots/new", data={"name": "Goals", "goals": "Find out", "starts_on": "2026-03-01",
                                           "ends_on": "2026-01-01", "teacher_ids": [str(teacher.id)],
                                           "badge_ids": [str(badge.id)], "add_school_id": "0", "add_plc_id": "0"})
    assert bad.status_code == 400
    page = bad.get_data(as_text=True)
    assert "The end date must be on or after the start date." in page and 'value="Goals"' in page
    assert 'checked id="teacher_ids-0"' in page
    good = client.post("/pilots/new", data={"name": "Goals", "goals": "Find out", "starts_on": "2026-01-01",
                                            "ends_on": "2026-03-01", "teacher_ids": [str(teacher.id)],
                                            "badge_ids": [str(badge.id)], "add_school_id": "0", "add_plc_id": "0"})
    assert good.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(db.select(PilotMember.user_id)) == teacher.id


def test_one_click_makes_linked_pre_mid_post_surveys_for_the_cohort(make_user, as_role):
    pilot = new_pilot([make_user("teacher")])
    client = as_role("pd_admin")
    assert client.post(f"/pilots/{pilot.id}/surveys").status_code == 302
    from milepost.surveys.models import SurveySet
    db.session.expire_all()
    survey_set = db.session.scalar(db.select(SurveySet))
    assert [s.wave for s in survey_set.surveys] == ["pre", "mid", "post"]
    assert all(s.audience == "pilot" and s.pilot_id == pilot.id and s.anonymous for s in survey_set.surveys)
    post = survey_set.surveys[-1]
    assert any(q.retrospective for q in post.questions)
    assert {q.key for q in survey_set.surveys[0].asked} <= {q.key for q in post.asked}
