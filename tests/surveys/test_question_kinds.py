"""Each question kind: what the builder accepts, and what an answer must look like."""
import pytest
from werkzeug.datastructures import MultiDict

from milepost.core.errors import ValidationFailed
from milepost.surveys import services
from tests.helpers.surveys import ALL_KINDS, RUBRIC


def parse(survey, **fields):
    form = MultiDict()
    for name, value in fields.items():
        for v in (value if isinstance(value, list) else [value]):
            form.add(name, v)
    return services.parse_answers(survey, form)


@pytest.fixture
def survey(make_survey):
    return make_survey(ALL_KINDS)


def names(survey):
    return [q.id for q in survey.asked]


def test_good_answers_of_every_kind_are_read_into_clean_values(survey):
    lk, single, multi, short, long_, number, rubric, retro = names(survey)
    values, errors = parse(survey, **{f"q{lk}": "4", f"q{single}": "2", f"q{multi}": ["0", "2"], f"q{short}": " Busy ",
                                      f"q{long_}": "More time", f"q{number}": "12,5", f"q{rubric}-0": "1",
                                      f"q{rubric}-1": "3", f"q{retro}-before": "2", f"q{retro}-now": "5"})
    assert errors == {}
    assert values == {lk: 4, single: 2, multi: [0, 2], short: "Busy", long_: "More time", number: 12.5,
                      rubric: [1, 3], retro: {"before": 2, "now": 5}}
    assert services.missing_required(survey, values) == {}


@pytest.mark.parametrize("position, raw", [(0, "6"), (0, "0"), (0, "x"), (1, "3"), (1, "-1"), (2, ["1", "9"])])
def test_a_choice_outside_the_options_is_refused(survey, position, raw):
    qid = names(survey)[position]
    values, errors = parse(survey, **{f"q{qid}": raw})
    assert errors == {qid: "Please choose one of the options shown."} and qid not in values


def test_a_rubric_level_outside_the_levels_is_refused(survey):
    qid = names(survey)[6]
    _, errors = parse(survey, **{f"q{qid}-0": "4"})
    assert errors[qid] == "Please choose one of the options shown."


@pytest.mark.parametrize("raw, message", [("lots", "Please enter a number, for example 4 or 2.5."),
                                          ("nan", "Please enter a number, for example 4 or 2.5."),
                                          ("-1", "Please enter 0 or more."), ("41", "Please enter 40 or less.")])
def test_a_number_must_be_a_number_within_its_limits(survey, raw, message):
    qid = names(survey)[5]
    _, errors = parse(survey, **{f"q{qid}": raw})
    assert errors == {qid: message}


def test_text_answers_have_a_length_limit(survey):
    short, long_ = names(survey)[3], names(survey)[4]
    _, errors = parse(survey, **{f"q{short}": "x" * 301, f"q{long_}": "y" * 5001})
    assert "under 300 characters" in errors[short] and "under 5000 characters" in errors[long_]


def test_required_questions_are_listed_when_unanswered_or_half_answered(survey):
    lk, single, multi, short, long_, number, rubric, retro = names(survey)
    values, _ = parse(survey, **{f"q{rubric}-0": "2", f"q{retro}-now": "4"})
    missing = services.missing_required(survey, values)
    assert set(missing) == {lk, single, multi, short, number, rubric, retro}
    assert missing[rubric] == "Please choose a level for every indicator."
    assert missing[retro] == "Please answer both \"before\" and \"now\"."
    assert missing[multi] == "Please choose at least one."
    assert long_ not in missing


@pytest.mark.parametrize("data, problem", [
    ({"kind": "likert", "prompt": "Q", "options": ["a", "b", "c", "d"]}, "5 or 7 labels"),
    ({"kind": "single", "prompt": "Q", "options": ["only one"]}, "at least two choices"),
    ({"kind": "multiple", "prompt": "Q", "options": ["a", "a"]}, "Each choice must be different"),
    ({"kind": "rubric", "prompt": "Q", "options": ["Starting", "Sustaining"], "indicators": []},
     "at least one indicator"),
    ({"kind": "number", "prompt": "Q", "min_value": "10", "max_value": "2"}, "larger than the largest"),
    ({"kind": "number", "prompt": "Q", "min_value": "ten"}, "must be numbers"),
    ({"kind": "short_text", "prompt": " "}, "Please write the question"),
    ({"kind": "likert", "prompt": "Q", "options": list("abcde"), "eval_level": "vibes"}, "evaluation level"),
    ({"kind": "essay", "prompt": "Q"}, "what kind of question"),
])
def test_the_builder_refuses_questions_that_cannot_be_answered(app, data, problem):
    with pytest.raises(ValidationFailed) as caught:
        services.clean_question(data)
    assert any(problem in p for p in caught.value.problems or [caught.value.message])


def test_the_builder_keeps_rubric_level_descriptions_and_a_comparison_key(app):
    clean = services.clean_question(RUBRIC)
    assert clean["indicators"][0] == {"text": "A plan",
                                      "descriptions": ["We see the value", "A written plan", "Scaling"]}
    assert clean["indicators"][1] == {"text": "Student ownership", "descriptions": ["", "", ""]}
    assert clean["key"] == "readiness_for_change"
    seven = services.clean_question({"kind": "likert", "prompt": "Q", "options": list("abcdefg"), "retrospective": "y"})
    assert len(seven["options"]) == 7 and seven["retrospective"] is True
