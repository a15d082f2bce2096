"""The results page's figures are computed in the database; they must be exactly the ones the
per-respondent path (respondents + survey_results) gives, for every question kind and every filter."""
import random

import pytest

from milepost.accounts.models import School
from milepost.extensions import db
from milepost.surveys import services
from tests.helpers.app import count_queries
from tests.helpers.surveys import ALL_KINDS, answer


def _value(question, rng):
    if question.kind == "likert" and question.retrospective:
        return {"before": rng.randint(1, 5), "now": rng.randint(1, 5)}
    if question.kind == "likert":
        return rng.randint(1, len(question.options))
    if question.kind == "single":
        return rng.randrange(len(question.options))
    if question.kind == "multiple":
        return sorted(rng.sample(range(len(question.options)), rng.randint(1, len(question.options))))
    if question.kind in ("short_text", "long_text"):
        return rng.choice(["More time to plan", "coaching", "Zebra crossing", "Apple"])
    if question.kind == "number":
        return float(rng.choice([0, 2.5, 4, 4, 10, 40]))
    return [rng.randint(1, len(question.options)) for _ in question.indicators]


def _strip(report):
    """The report as plain values (the question objects are the same ones on both sides)."""
    def plain(x):
        if isinstance(x, dict):
            return {k: plain(v) for k, v in x.items() if k != "question"}
        if isinstance(x, (list, tuple)):
            return [plain(v) for v in x]
        if hasattr(x, "__dataclass_fields__"):
            return {k: plain(getattr(x, k)) for k in x.__dataclass_fields__}
        return x
    return plain(report)


@pytest.fixture
def answered(app, make_survey, make_user):
    """Twelve people at two schools, some coaches, answering every kind; two skip the optional question."""
    north, south = School(name="North Elementary"), School(name="South High")
    db.session.add_all([north, south])
    db.session.commit()

    def build(anonymous):
        survey = make_survey(ALL_KINDS, anonymous=anonymous)
        rng = random.Random(13)
        for i in range(12):
            person = make_user("teacher", "coach", school=north) if i % 4 == 0 else \
                make_user("teacher", school=north if i % 3 else south)
            values = {pos: _value(q, rng) for pos, q in enumerate(survey.asked)}
            if i in (3, 7):
                values.pop(4)  # the optional long answer
            answer(survey, person, values)
        return survey, north

    return build


@pytest.mark.parametrize("anonymous", [True, False])
def test_the_results_page_figures_equal_the_per_respondent_ones(answered, anonymous):
    survey, north = answered(anonymous)
    for filters in ({}, {"school_id": north.id}, {"role": "coach"}, {"role": "pd_admin"},
                    {"school_id": north.id, "role": "teacher"}):
        for names in (False, True):
            for minimum in (1, 5):
                expected = services.survey_results(
                    survey, services.respondents(db.session, survey, with_names=names, **filters), minimum)
                got = services.results_report(db.session, survey, minimum, with_names=names, **filters)
                if minimum == 1 or not filters:  # nothing to protect by subtraction: exactly the same figures
                    assert _strip(got) == _strip(expected), (filters, names, minimum)
                    continue
                # Filtered, the page may hide more (a group that would reveal a smaller one by subtraction),
                # never less, and what it shows is the same.
                pairs = zip([s for _, rows in got["groups"] for s in rows],
                            [s for _, rows in expected["groups"] for s in rows], strict=True)
                for mine, theirs in pairs:
                    assert mine["suppressed"] or _strip(mine) == _strip(theirs), (filters, names)
                    assert mine["suppressed"] or not theirs["suppressed"]
    shown = services.results_report(db.session, survey, 5, with_names=True)
    texts = [s for _level, rows in shown["groups"] for s in rows if s["question"].kind == "short_text"][0]
    assert ("named_texts" in texts) == (not anonymous)


def test_the_results_page_runs_the_same_queries_for_few_and_many_responses(answered, make_user, as_role):
    survey, north = answered(True)
    reader, url = as_role("leader"), f"/surveys/{survey.id}/results"
    reader.get(url)
    with count_queries() as few:
        reader.get(url)
    rng = random.Random(5)
    for _ in range(30):
        answer(survey, make_user("teacher", school=north), {pos: _value(q, rng) for pos, q in enumerate(survey.asked)})
    with count_queries() as many:
        page = reader.get(url)
    assert page.status_code == 200 and "42 submitted responses" in page.get_data(as_text=True)
    assert len(few) == len(many)
