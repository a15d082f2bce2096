"""The arithmetic of results on known data: distributions, means, retrospective pairs, and the
pre -> mid -> post change for matched respondents with the number matched."""
from datetime import UTC

import pytest

from milepost.extensions import db
from milepost.surveys import services
from milepost.surveys.services import results
from tests.helpers.surveys import answer, likert


def test_a_likert_distribution_counts_shares_and_mean():
    d = results.scale_distribution(["SD", "D", "N", "A", "SA"], [5, 4, 4, 2, None, 9, 4])
    assert d.counts == [0, 1, 0, 3, 1] and d.n == 5
    assert d.mean == pytest.approx(3.8) and d.percents == [0, 20, 0, 60, 20]


def test_multiple_choice_counts_people_choosing_each_option():
    d = results.choice_distribution(["a", "b", "c"], [[0, 1], [1], [], [2, 2]], multiple=True)
    assert d.counts == [1, 2, 1] and d.n == 4


def test_matched_change_uses_only_people_present_in_every_wave():
    pre = {"p1": 2, "p2": 3, "p3": 1, "p4": 4}
    mid = {"p1": 3, "p2": 3, "p4": 4, "p5": 5}
    post = {"p1": 4, "p2": 5, "p4": 5, "p6": 1}
    change = results.matched_change([("pre", pre), ("mid", mid), ("post", post)])
    assert change.n_matched == 3  # p1, p2, p4
    assert change.means == pytest.approx([3.0, 10 / 3, 14 / 3])
    assert change.changes == pytest.approx([0.0, 1 / 3, 5 / 3]) and change.total_change == pytest.approx(5 / 3)


def test_turnaround_is_the_mean_and_median_days_between_submitted_and_decided():
    from datetime import datetime, timedelta
    start = datetime(2026, 1, 1, tzinfo=UTC)
    pairs = [(start, start + timedelta(days=2)), (start, start + timedelta(days=4)), (start, start + timedelta(days=9)),
             (start, None)]
    assert results.turnaround_days(pairs) == (5.0, 4.0, 3)


def test_the_matched_comparison_of_a_set_on_known_answers(make_survey, make_set, make_user, as_role):
    waves = make_set()
    questions = [likert(), {"kind": "number", "prompt": "Hours", "key": "hours"}]
    pre = make_survey(questions, survey_set=waves, wave="pre")
    mid = make_survey(questions, survey_set=waves, wave="mid")
    post = make_survey(questions, survey_set=waves, wave="post")
    people = [make_user("teacher") for _ in range(7)]
    scores = {  # person: (pre, mid, post); None = did not answer that wave
        0: (2, 3, 4), 1: (3, 3, 5), 2: (1, 2, 3), 3: (4, 4, 4), 4: (2, 4, 5),
        5: (5, None, 5),   # missed the mid-point: not matched
        6: (None, 2, 2),   # missed the pre survey: not matched
    }
    for i, (a, b, c) in scores.items():
        for survey, value in ((pre, a), (mid, b), (post, c)):
            if value is not None:
                answer(survey, people[i], {0: value, 1: value * 2})
    comparison = services.set_comparison(db.session, waves, minimum=5)
    useful, hours = comparison["rows"]
    assert useful["change"].n_matched == 5 and not useful["suppressed"]
    assert useful["change"].means == pytest.approx([12 / 5, 16 / 5, 21 / 5])
    assert useful["change"].total_change == pytest.approx(9 / 5)
    assert hours["change"].means == pytest.approx([24 / 5, 32 / 5, 42 / 5])
    page = as_role("leader").get(f"/surveys/sets/{waves.id}/results").get_data(as_text=True)
    assert "2.40" in page and "3.20" in page and "4.20" in page and "+1.80" in page
    assert ">5<" in page  # the number matched
    assert make_user("teacher").display_name not in page
    strict = services.set_comparison(db.session, waves, minimum=6)
    assert strict["rows"][0]["suppressed"]


def test_retrospective_pairs_are_compared_within_each_response(make_survey, make_user):
    survey = make_survey([likert(retrospective=True)])
    for before, now in [(1, 3), (2, 4), (2, 2), (3, 5), (1, 4)]:
        answer(survey, make_user("teacher"), {0: {"before": before, "now": now}})
    report = services.survey_results(survey, services.respondents(db.session, survey), 5)
    retro = report["groups"][0][1][0]["retro"]
    assert retro.n_pairs == 5 and retro.mean_change == pytest.approx(9 / 5)
    assert retro.before.mean == pytest.approx(9 / 5) and retro.now.mean == pytest.approx(18 / 5)


def test_results_are_grouped_by_evaluation_level(make_survey, make_user, as_role):
    survey = make_survey([likert("Reaction question", key="r", eval_level="reaction"),
                          likert("Use question", key="u", eval_level="use"), likert("Untagged", key="x")])
    for _ in range(5):
        answer(survey, make_user("teacher"), {0: 4, 1: 4, 2: 4})
    page = as_role("leader").get(f"/surveys/{survey.id}/results").get_data(as_text=True)
    assert (page.index("Participants&#39; reactions") < page.index("Reaction question")
            < page.index("Use of new practice"))
    assert page.index("Use of new practice") < page.index("Use question") < page.index("Other questions")


def test_the_readiness_template_results_show_a_heat_map_by_area(app, make_user, as_role):
    leaders = [make_user("leader") for _ in range(5)]
    survey = services.create_from_template(db.session, "readiness", actor=None)
    services.publish(db.session, survey, actor=None)
    db.session.commit()
    areas = [q for q in survey.asked if q.kind == "rubric"]
    assert len(areas) == 7 and all(q.options == ["Starting", "Practicing", "Sustaining"] for q in areas)
    for i, leader in enumerate(leaders):
        values = {q.id: [1 + (i % 3)] * len(q.indicators) for q in areas}
        services.save_response(db.session, survey, leader, values, submit=True)
    db.session.commit()
    page = as_role("leader").get(f"/surveys/{survey.id}/results").get_data(as_text=True)
    assert "Heat map by area" in page and "<svg" in page and "Data security, privacy and infrastructure" in page
    assert "40%" in page  # two of five leaders rated every indicator Starting
