"""Groups that cannot be unmasked: an adversary reads every filter choice of a survey's results (as JSON, the
same figures as the page) and subtracts every pair; no pair reveals a group smaller than the minimum."""
import itertools

import pytest

from milepost.accounts.services import save_school
from milepost.core.access import ROLES
from milepost.extensions import db
from milepost.surveys import services
from milepost.surveys.services.suppression import Suppressor, View, cell_of, hidden_sets
from tests.helpers.surveys import answer, likert

MINIMUM = 5
QUESTIONS = [likert(), likert("I had the support I needed.", key="support", required=False)]


def test_everyone_minus_one_school_no_longer_reveals_the_others():
    cells = {cell_of(1, "teacher"): 5, cell_of(2, "teacher"): 4}
    rule = Suppressor(cells, MINIMUM)
    assert not rule.hidden(View(), cells)          # all nine are shown
    assert rule.hidden(View(school_id=1), cells)   # five, but 9 - 5 = 4 would be the other school
    assert rule.hidden(View(school_id=2), cells)   # four: too few
    assert not rule.hidden(View(role="coach"), cells)  # nobody: empty, not hidden
    assert hidden_sets(frozenset(range(5)), [frozenset(range(9))], MINIMUM)
    assert not hidden_sets(frozenset(range(5)), [frozenset(range(10))], MINIMUM)


@pytest.fixture
def district(app, make_user, make_survey):
    """Twenty people at three schools and the district office, with overlapping roles (coaches who also
    earn badges), answering a survey; some skip the optional question."""
    schools = [save_school(db.session, None, name=name, actor=None) for name in ("North", "South", "East")]
    db.session.commit()
    layout = ([(schools[0], ("teacher",))] * 5 + [(schools[1], ("teacher",))] * 3
              + [(schools[1], ("teacher", "coach"))] + [(schools[2], ("teacher",))] * 5
              + [(schools[2], ("teacher", "coach"))] * 2 + [(None, ("coach",))] * 2 + [(None, ("leader",))] * 2)
    survey = make_survey(QUESTIONS)
    truth = []  # (school id, roles, answered the optional question)
    for i, (school, roles) in enumerate(layout):
        person = make_user(*roles, school=school)
        optional = i % 4 != 1
        answer(survey, person, {0: 1 + i % 5, **({1: 1 + (i * 3) % 5} if optional else {})})
        truth.append((school.id if school else None, set(person.roles), optional))
    return survey, schools, truth


def test_no_pair_of_filter_choices_reveals_a_hidden_group(district, as_role):
    survey, schools, truth = district
    client = as_role("leader")
    client.application.config["SURVEY_MIN_GROUP"] = MINIMUM
    views = {}
    for school in [None, *[s.id for s in schools]]:
        for role in [None, *ROLES]:
            query = "&".join(part for part in (f"school={school}" if school else "", f"role={role}" if role else "")
                             if part)
            doc = client.get(f"/surveys/{survey.id}/results.json?{query}").get_json()
            people = frozenset(i for i, (s, roles, _) in enumerate(truth)
                               if (school is None or s == school) and (role is None or role in roles))
            views[(school, role)] = (doc, people)
    assert not views[(None, None)][0]["hidden"] and views[(None, None)][0]["n"] == len(truth)

    def shown(doc, question=None):
        if question is None:
            return None if doc["hidden"] else doc["n"]
        item = doc["questions"][question]
        return None if item["hidden"] else item["n"]

    pairs = 0
    for (a, (doc_a, people_a)), (b, (doc_b, people_b)) in itertools.permutations(views.items(), 2):
        for question in (None, 0, 1):
            if question == 1:  # those who answered the optional question
                people_a = frozenset(i for i in people_a if truth[i][2])
                people_b = frozenset(i for i in people_b if truth[i][2])
            n_a, n_b = shown(doc_a, question), shown(doc_b, question)
            if n_a is None or n_b is None or not n_a or not n_b:
                continue
            assert n_a == len(people_a) and n_b == len(people_b)  # what is shown is true
            assert n_a >= MINIMUM and n_b >= MINIMUM
            if people_b < people_a:
                pairs += 1
                assert len(people_a - people_b) >= MINIMUM, (a, b, question)
                if question is not None:  # and the subtracted counts are a group of at least the minimum
                    counts = [x - y for x, y in zip(doc_a["questions"][question]["distribution"]["counts"],
                                                    doc_b["questions"][question]["distribution"]["counts"],
                                                    strict=True)]
                    assert sum(counts) >= MINIMUM
    assert pairs  # some nested views are shown together, at a safe distance
    # And the page agrees with the JSON: a view or question hidden in one is hidden in the other.
    for (school, role), (doc, _people) in views.items():
        page = client.get(f"/surveys/{survey.id}/results", query_string={"school": school or "", "role": role or ""})
        text = page.get_data(as_text=True)
        assert doc["hidden"] == ("Responses in this group are not counted here" in text), (school, role)
        notes = text.count("Hidden to protect a smaller group") + text.count("Fewer than 5 answers in this group")
        assert notes == (1 if doc["hidden"] else sum(q["hidden"] for q in doc["questions"])), (school, role)


def test_the_comparison_over_time_hides_a_matched_group_another_choice_would_reveal(app, make_user, make_set,
                                                                                   make_survey, as_role):
    north, south = (save_school(db.session, None, name=n, actor=None) for n in ("North", "South"))
    db.session.commit()
    waves = make_set()
    pre = make_survey([likert()], survey_set=waves, wave="pre")
    post = make_survey([likert()], survey_set=waves, wave="post")
    for i in range(8):
        person = make_user("teacher", school=north if i < 5 else south)
        answer(pre, person, {0: 2})
        answer(post, person, {0: 4})
    everyone = services.set_comparison(db.session, waves, minimum=MINIMUM)["rows"][0]
    at_north = services.set_comparison(db.session, waves, minimum=MINIMUM, school_id=north.id)["rows"][0]
    assert not everyone["suppressed"] and at_north["change"].n_matched == 5
    assert at_north["suppressed"]  # 8 - 5 = 3 matched people at South
    page = as_role("leader").get(f"/surveys/sets/{waves.id}/results?school={north.id}").get_data(as_text=True)
    assert "+2.00" not in page


def test_results_json_is_for_readers_and_never_names_anyone(make_survey, make_user, as_role):
    survey = make_survey([likert(), {"kind": "short_text", "prompt": "One word"}], anonymous=False)
    names = [f"Wilhelmina Quark{i}" for i in range(5)]
    for name in names:
        answer(survey, make_user("teacher", name=name), {0: 3, 1: "fine"})
    response = as_role("pd_admin").get(f"/surveys/{survey.id}/results.json")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    body = response.get_data(as_text=True)
    assert not any(name in body for name in names)
    assert response.get_json()["questions"][0]["distribution"]["counts"] == [0, 0, 5, 0, 0]
    assert as_role("teacher").get(f"/surveys/{survey.id}/results.json").status_code == 403
    draft = make_survey(status="draft")
    assert as_role("leader").get(f"/surveys/{draft.id}/results.json").status_code == 404
