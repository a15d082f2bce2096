"""Survey analysis: the matched pre/post change with its 95% confidence interval and effect size (checked
against a hand-worked example), skip logic, and the codebook of the export."""
import csv
import io

import pytest

from milepost.core.errors import ValidationFailed
from milepost.extensions import db
from milepost.surveys import services
from tests.helpers.surveys import answer, likert


def test_the_paired_interval_and_effect_size_match_a_hand_worked_example():
    # Five people, before and after. Differences 1, 2, 3, 0, 3: mean 9/5 = 1.8; squared deviations
    # 0.64 + 0.04 + 1.44 + 3.24 + 1.44 = 6.8, variance 6.8 / 4 = 1.7, sd = 1.30384; standard error
    # 1.30384 / sqrt(5) = 0.58310; t(0.975, 4 df) = 2.77645 (from a t table); margin 1.61893.
    change = services.paired_change([(2, 3), (3, 5), (1, 4), (4, 4), (2, 5)])
    assert change.n == 5
    assert change.mean_difference == pytest.approx(1.8)
    assert change.sd_difference == pytest.approx(1.30384, abs=1e-5)
    assert (change.ci_low, change.ci_high) == (pytest.approx(0.18107, abs=1e-4), pytest.approx(3.41893, abs=1e-4))
    assert change.effect_size == pytest.approx(1.8 / 1.30384, abs=1e-4)  # d_z = 1.38054


def test_no_interval_from_one_pair_and_no_effect_size_without_spread():
    assert services.paired_change([(2, 4)]) is None
    same = services.paired_change([(1, 3), (2, 4), (3, 5)])
    assert (same.ci_low, same.ci_high, same.effect_size) == (2.0, 2.0, None)


def test_the_comparison_page_shows_the_interval_effect_size_and_names_the_method(app, make_set, make_survey,
                                                                                make_user, as_role):
    waves = make_set()
    pre = make_survey([likert()], survey_set=waves, wave="pre")
    post = make_survey([likert()], survey_set=waves, wave="post")
    for before, after in [(2, 3), (3, 5), (1, 4), (4, 4), (2, 5)]:
        person = make_user("teacher")
        answer(pre, person, {0: before})
        answer(post, person, {0: after})
    row = services.set_comparison(db.session, waves, minimum=5)["rows"][0]
    assert row["change"].paired.n == 5 and row["change"].total_change == pytest.approx(1.8)
    page = as_role("leader").get(f"/surveys/sets/{waves.id}/results").get_data(as_text=True)
    assert "+1.80" in page and "+0.18 to +3.42" in page and "1.38" in page
    assert "paired t interval" in page and "95% confidence" in page


SKIPPING = [
    {"kind": "single", "prompt": "Did you use the strategy this month?", "key": "used", "options": ["Yes", "No"],
     "required": True},
    {"kind": "likert", "prompt": "It went well.", "key": "went_well", "options": ["1", "2", "3", "4", "5"],
     "required": True, "show_if_key": "used", "show_if_value": 0},
    {"kind": "short_text", "prompt": "What got in the way?", "key": "barrier", "required": True,
     "show_if_key": "used", "show_if_value": 1},
]


def test_skip_logic_asks_a_question_only_after_the_given_answer(make_survey, as_role):
    survey = make_survey(SKIPPING)
    used, went_well, barrier = survey.asked
    # "Yes": the follow-up is required, the barrier question is skipped and its answer is dropped.
    values, errors = services.parse_answers(survey, {f"q{used.id}": "0", f"q{barrier.id}": "time"})
    assert not errors and values == {used.id: 0}
    assert services.missing_required(survey, values) == {went_well.id: "This question needs an answer."}
    # "No": only the barrier is asked.
    values, _ = services.parse_answers(survey, {f"q{used.id}": "1", f"q{went_well.id}": "4",
                                                f"q{barrier.id}": "No time to plan"})
    assert values == {used.id: 1, barrier.id: "No time to plan"}
    assert services.missing_required(survey, values) == {}
    client = as_role("teacher")
    page = client.get(f"/surveys/{survey.id}").get_data(as_text=True)
    assert "Answer this only if you chose \u201cYes\u201d for \u201cDid you use the strategy this month?\u201d" in page
    response = client.post(f"/surveys/{survey.id}", data={f"q{used.id}": "1", f"q{barrier.id}": "Time",
                                                          "action": "submit"})
    assert response.status_code == 302


def test_skip_logic_must_point_at_an_earlier_choice_question(make_survey):
    survey = make_survey([likert(key="first")], status="draft")
    with pytest.raises(ValidationFailed, match="earlier single-choice"):
        services.save_question(db.session, survey, None, {**likert("Later", key="later"), "show_if_key": "missing",
                                                          "show_if_value": "1"}, actor=None)
    db.session.rollback()
    question = services.save_question(db.session, survey, None, {**likert("Later", key="later"),
                                                                  "show_if_key": "first", "show_if_value": "5"},
                                      actor=None)
    assert question.condition()[1] == "Strongly agree"


def test_the_builder_offers_the_earlier_answers_as_conditions(make_survey, pd_client):
    survey = make_survey(SKIPPING[:1], status="draft")
    page = pd_client.get(f"/surveys/{survey.id}/questions/new?kind=likert").get_data(as_text=True)
    assert 'value="used|0"' in page and 'value="used|1"' in page
    response = pd_client.post(f"/surveys/{survey.id}/questions/new?kind=likert", data={
        "prompt": "It went well.", "options": "1\n2\n3\n4\n5", "show_if": "used|0", "key": "", "eval_level": ""})
    assert response.status_code == 302
    db.session.expire_all()
    assert survey.questions[-1].show_if_key == "used" and survey.questions[-1].show_if_value == 0


def test_the_codebook_explains_every_column_of_the_export(make_survey, pd_client, make_user):
    survey = make_survey(SKIPPING)
    response = pd_client.get(f"/surveys/{survey.id}/codebook.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    table = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert table[0] == ["column", "question key", "question", "kind", "answers", "asked when", "required"]
    assert table[1][0] == "respondent"
    by_column = {row[0]: row for row in table[1:]}
    assert by_column["It went well."][4] == "1 = 1; 2 = 2; 3 = 3; 4 = 4; 5 = 5"
    assert by_column["It went well."][5] == ("only after \u201cYes\u201d to "
                                             "\u201cDid you use the strategy this month?\u201d")
    assert by_column["Did you use the strategy this month?"][4] == "Yes; No"
    for _ in range(5):
        answer(survey, make_user("teacher"), {0: 1, 2: "Time"})
    export = list(csv.reader(io.StringIO(pd_client.get(f"/surveys/{survey.id}/results.csv").get_data(as_text=True))))
    assert [row[0] for row in table[1:]] == export[0]  # one codebook row per export column, in order
