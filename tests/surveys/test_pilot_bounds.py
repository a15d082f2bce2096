"""Pilot numbers bounded by the pilot: only the cohort's work during the pilot's dates counts; reviewing is a
part of its own; linked surveys are made once; a teacher survey goes to the cohort, not its reviewers."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from milepost.accounts.services import save_plc
from milepost.core.errors import NotAllowed
from milepost.extensions import db
from milepost.surveys import access, services
from milepost.surveys.models import PilotMember, Survey, SurveySet
from tests.helpers.surveys import START, add_submission, new_pilot


def test_pilot_figures_ignore_work_from_before_and_after_the_pilot(make_user, make_badge, as_role):
    badge = make_badge("goal-setting")
    teachers = [make_user("teacher") for _ in range(4)]
    pilot = new_pilot(teachers, badges=[badge], starts_on=START.date(), ends_on=START.date() + timedelta(days=30))
    # Before the pilot: started, sent and awarded two months earlier.
    add_submission(teachers[0], badge, "awarded", decided_days=3, at=START - timedelta(days=60))
    # During the pilot: one awarded after 2 days, one returned after 4.
    add_submission(teachers[1], badge, "awarded", decided_days=2, at=START + timedelta(days=1))
    add_submission(teachers[2], badge, "returned", decided_days=4, at=START + timedelta(days=2))
    # Sent near the end, decided after the pilot ended: it started in the pilot, but the decision is later.
    add_submission(teachers[3], badge, "awarded", decided_days=10, at=START + timedelta(days=28))
    dashboard = services.pilot_dashboard(db.session, pilot)
    assert dashboard.started == 3  # teachers[0] started before the pilot
    assert dashboard.by_state == {"awarded": 2, "returned": 1}
    assert dashboard.awards == 1  # the October-style award and the late one are left out
    assert (dashboard.decisions, dashboard.turnaround_mean) == (2, pytest.approx(3.0))
    page = as_role("leader").get(f"/pilots/{pilot.id}").get_data(as_text=True)
    assert "Every figure counts only the cohort" in page and "Work from before or after the pilot is left out" in page


def test_a_coach_in_the_cohort_through_a_plc_who_is_ticked_as_reviewer_keeps_both_parts(make_user):
    coach = make_user("coach", "teacher")
    plc = save_plc(db.session, None, name="Maths", school=None, facilitator=None, members=[coach], actor=None)
    db.session.commit()
    pilot = new_pilot([], [coach], add_plc_id=plc.id)
    assert {(m.user_id, m.role) for m in pilot.members} == {(coach.id, "teacher"), (coach.id, "reviewer")}
    dashboard = services.pilot_dashboard(db.session, pilot)
    assert (dashboard.teachers, dashboard.reviewers) == (1, 1)
    # Saving again with the reviewer unticked drops the reviewing part only.
    services.save_pilot(db.session, pilot, name=pilot.name, goals="", starts_on=pilot.starts_on,
                        ends_on=pilot.ends_on, teacher_ids=[coach.id], reviewer_ids=[], badge_ids=[], actor=None)
    db.session.commit()
    assert {(m.user_id, m.role) for m in db.session.scalars(select(PilotMember))} == {(coach.id, "teacher")}


def test_creating_linked_surveys_twice_makes_one_set(make_user, as_role):
    pilot = new_pilot([make_user("teacher")])
    client = as_role("pd_admin")
    first = client.post(f"/pilots/{pilot.id}/surveys", follow_redirects=True)
    second = client.post(f"/pilots/{pilot.id}/surveys", follow_redirects=True)
    assert first.status_code == second.status_code == 200
    assert "already has its linked pre, mid-point and post surveys" in second.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(SurveySet)) == 1
    assert db.session.scalar(select(func.count()).select_from(Survey)) == 3
    survey_set, made = services.create_pilot_waves(db.session, pilot, actor=None)
    assert not made and db.session.scalar(select(func.count()).select_from(SurveySet)) == 1


def test_the_teacher_survey_goes_to_the_cohort_and_its_response_rate_counts_only_them(make_user):
    teachers = [make_user("teacher") for _ in range(3)]
    reviewer = make_user("coach")
    pilot = new_pilot(teachers, [reviewer])
    survey_set, _ = services.create_pilot_waves(db.session, pilot, actor=None)
    pre = survey_set.surveys[0]
    services.publish(db.session, pre, actor=None, now=pre.opens_at)
    db.session.commit()
    assert all(s.audience_pilot_role == "teacher" for s in survey_set.surveys)
    assert services.audience_size(db.session, pre) == 3
    assert access.in_audience(db.session, teachers[0], pre)
    assert not access.in_audience(db.session, reviewer, pre)
    with pytest.raises(NotAllowed):
        access.check_may_take(db.session, reviewer, pre)
    assert pre.id not in {row["survey"].id for row in services.surveys_for(db.session, reviewer, now=pre.opens_at)}
    assert pre.id in {row["survey"].id for row in services.surveys_for(db.session, teachers[0], now=pre.opens_at)}
    services.save_response(db.session, pre, teachers[0], every_required(pre), submit=True,
                           now=pre.opens_at + timedelta(hours=1))
    db.session.commit()
    row = services.pilot_dashboard(db.session, pilot).surveys[0]
    assert (row["answered"], row["audience"]) == (1, 3)


def every_required(survey) -> dict:
    """A valid answer to each required question of a ready-made survey."""
    values = {}
    for q in survey.asked:
        if not q.required:
            continue
        if q.kind == "rubric":
            values[q.id] = [1] * len(q.indicators)
        elif q.retrospective:
            values[q.id] = {"before": 1, "now": 2}
        elif q.kind == "multiple":
            values[q.id] = [0]
        elif q.kind in ("short_text", "long_text"):
            values[q.id] = "Fine"
        elif q.kind == "number":
            values[q.id] = q.min_value or 1.0
        else:
            values[q.id] = 1 if q.kind == "likert" else 0
    return values


def test_a_survey_for_the_reviewers_only_is_theirs(make_user, pd_client):
    teacher, reviewer = make_user("teacher"), make_user("coach")
    pilot = new_pilot([teacher], [reviewer])
    response = pd_client.post("/surveys/manage/new", data={
        "title": "Reviewing in the pilot", "audience": "pilot", "audience_role": "", "audience_school_id": "0",
        "pilot_id": str(pilot.id), "audience_pilot_role": "reviewer", "set_id": "0", "wave": "", "anonymous": "y",
        "opens_on": "2026-05-01", "closes_on": "2026-05-10"})
    assert response.status_code == 302
    survey = db.session.scalar(select(Survey).where(Survey.title == "Reviewing in the pilot"))
    assert survey.audience_pilot_role == "reviewer"
    assert access.in_audience(db.session, reviewer, survey) and not access.in_audience(db.session, teacher, survey)
    bad = pd_client.post("/surveys/manage/new", data={
        "title": "Odd", "audience": "pilot", "audience_role": "", "audience_school_id": "0",
        "pilot_id": str(pilot.id), "audience_pilot_role": "janitor", "set_id": "0", "wave": "",
        "opens_on": "2026-05-01", "closes_on": "2026-05-10"})
    assert bad.status_code == 400 and "Please choose which of the pilot" in bad.get_data(as_text=True)
