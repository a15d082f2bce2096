"""A survey set is anonymous or identified as a whole: an identified survey never joins an anonymous set,
respondent codes are shared only inside an anonymous set, and no page, export or JSON the PD office can
reach puts a respondent code beside a name."""
import csv
import io
import re

import pytest
from sqlalchemy import select

from milepost.core.errors import InvalidTransition, ValidationFailed
from milepost.extensions import db
from milepost.surveys import services
from milepost.surveys.models import Survey, SurveyResponse, SurveySet
from tests.helpers.surveys import answer, likert

QUESTIONS = [likert(), {"kind": "short_text", "prompt": "One word for the pilot"}]
CODE = re.compile(r"R-[0-9a-f]{10}")


def settings_data(**extra):
    data = {"title": "Identified check-in", "audience": "everyone", "audience_role": "", "audience_school_id": "0",
            "pilot_id": "0", "set_id": "0", "wave": "post", "opens_on": "2026-05-01", "closes_on": "2026-05-10"}
    data.update(extra)
    return data


def test_an_identified_survey_cannot_join_an_anonymous_set(pd_client, make_set, make_survey):
    waves = make_set()
    make_survey(QUESTIONS, survey_set=waves, wave="pre")
    response = pd_client.post("/surveys/manage/new", data=settings_data(set_id=str(waves.id)))  # no "anonymous"
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "is an anonymous set: an identified survey cannot join it" in page
    assert 'value="Identified check-in"' in page  # what was typed is kept
    assert db.session.scalar(select(Survey).where(Survey.title == "Identified check-in")) is None


def test_an_existing_survey_cannot_turn_identified_inside_an_anonymous_set(app, make_set, make_survey):
    waves = make_set()
    make_survey(QUESTIONS, survey_set=waves, wave="pre")
    post = make_survey(QUESTIONS, survey_set=waves, wave="post", status="draft")
    with pytest.raises(ValidationFailed, match="anonymous set"):
        services.save_survey(db.session, post, title=post.title, anonymous=False, audience="everyone",
                             set_id=waves.id, wave="post", opens_on=post.opens_at.date(),
                             closes_on=post.closes_at.date(), actor=None)
    db.session.rollback()
    assert db.session.get(Survey, post.id).anonymous


def test_an_anonymous_survey_cannot_join_an_identified_set(app, make_set, make_survey):
    named = make_set(name="Named waves")
    pre = make_survey(QUESTIONS, anonymous=False, status="draft")
    services.save_survey(db.session, pre, title="Pre", anonymous=False, audience="everyone", set_id=named.id,
                         wave="pre", opens_on=pre.opens_at.date(), closes_on=pre.closes_at.date(), actor=None)
    db.session.commit()
    assert not db.session.get(SurveySet, named.id).anonymous  # the first survey of an empty set decides
    with pytest.raises(ValidationFailed, match="identified set"):
        services.save_survey(db.session, None, title="Post", anonymous=True, audience="everyone", set_id=named.id,
                             wave="post", opens_on=pre.opens_at.date(), closes_on=pre.closes_at.date(), actor=None)
    db.session.rollback()


def test_a_set_changes_anonymity_as_a_whole_and_only_before_anyone_answers(pd_client, make_set, make_survey,
                                                                          make_user):
    waves = make_set()
    pre = make_survey(QUESTIONS, survey_set=waves, wave="pre")
    post = make_survey(QUESTIONS, survey_set=waves, wave="post", status="draft")
    response = pd_client.post(f"/surveys/sets/{waves.id}/anonymity", data={"anonymous": "0"})
    assert response.status_code == 302
    db.session.expire_all()
    assert not waves.anonymous and not pre.anonymous and not post.anonymous
    assert pd_client.post(f"/surveys/sets/{waves.id}/anonymity", data={"anonymous": "1"}).status_code == 302
    db.session.expire_all()
    assert waves.anonymous and pre.anonymous and post.anonymous
    answer(pre, make_user("teacher"), {0: 4})
    refused = pd_client.post(f"/surveys/sets/{waves.id}/anonymity", data={"anonymous": "0"}, follow_redirects=True)
    assert "can no longer change" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert waves.anonymous and pre.anonymous and post.anonymous
    with pytest.raises(InvalidTransition):
        services.set_anonymity(db.session, waves, False, actor=None)
    db.session.rollback()
    manage = pd_client.get("/surveys/manage").get_data(as_text=True)
    assert "whether this set is anonymous is fixed" in manage


def test_an_identified_survey_never_carries_the_sets_shared_pseudonym(app, make_set, make_survey, make_user):
    # A set mixed before the rule existed (made directly, as older versions allowed).
    waves = make_set()
    pre = make_survey(QUESTIONS, survey_set=waves, wave="pre")
    named = make_survey(QUESTIONS, survey_set=waves, wave="post", anonymous=False)
    teacher = make_user("teacher")
    answer(pre, teacher, {0: 2})
    answer(named, teacher, {0: 5})
    assert not services.shares_set_pseudonyms(named) and services.shares_set_pseudonyms(pre)
    stored = dict(db.session.execute(select(SurveyResponse.survey_id, SurveyResponse.pseudonym)).all())
    assert stored[pre.id] != stored[named.id]
    comparison = services.set_comparison(db.session, waves, minimum=1)
    assert comparison["rows"][0]["change"].n_matched == 0  # the named answer matches no anonymous one
    assert services.my_response(db.session, named, teacher) is not None  # found again by its person


def test_an_identified_set_still_matches_each_person_across_its_waves(app, make_set, make_survey, make_user):
    named = make_set(name="Named waves")
    named.anonymous = False
    db.session.commit()
    pre = make_survey(QUESTIONS, survey_set=named, wave="pre", anonymous=False)
    post = make_survey(QUESTIONS, survey_set=named, wave="post", anonymous=False)
    for start in (1, 2, 3):
        person = make_user("teacher")
        answer(pre, person, {0: start})
        answer(post, person, {0: start + 2})
    assert services.pseudonym(pre, person) != services.pseudonym(post, person)
    row = services.set_comparison(db.session, named, minimum=1)["rows"][0]
    assert row["change"].n_matched == 3 and row["change"].total_change == pytest.approx(2.0)


def _fill(rule, ids):
    """Every way to fill a route's ids from what exists; None when it takes something else."""
    values = [{}]
    for arg in sorted(rule.arguments):
        if arg == "question_id":
            values = [dict(v, survey_id=s, question_id=q) for v in values for s, q in ids["question_id"]
                      if v.get("survey_id", s) == s]
        elif arg in ids:
            values = [dict(v, **{arg: i}) for v in values for i in ids[arg] if v.get(arg, i) == i]
        else:
            return None
    return values


def test_no_page_export_or_json_puts_a_respondent_code_beside_a_name(app, pd_client, make_set, make_survey,
                                                                    make_user):
    from milepost.surveys.services import create_pilot_waves, save_pilot

    names = [f"Quentin Zephyr{i}" for i in range(6)]
    people = [make_user("teacher", name=n) for n in names]
    pilot = save_pilot(db.session, None, name="Reading pilot", goals="", starts_on=pre_day(), ends_on=pre_day(),
                       teacher_ids=[p.id for p in people], reviewer_ids=[], badge_ids=[], actor=None)
    create_pilot_waves(db.session, pilot, actor=None)
    db.session.commit()
    anonymous_set = make_set()
    pre = make_survey(QUESTIONS, survey_set=anonymous_set, wave="pre", pilot=pilot)
    post = make_survey(QUESTIONS, survey_set=anonymous_set, wave="post", pilot=pilot)
    legacy = make_survey(QUESTIONS, survey_set=anonymous_set, wave="mid", anonymous=False)  # mixed, as older
    named_set = make_set(name="Named waves")
    named_set.anonymous = False
    db.session.commit()
    named_pre = make_survey(QUESTIONS, survey_set=named_set, wave="pre", anonymous=False)
    named_post = make_survey(QUESTIONS, survey_set=named_set, wave="post", anonymous=False)
    alone = make_survey(QUESTIONS, anonymous=False, title="Identified alone")
    pulse_template = make_survey([likert()], status="draft", title="Monthly pulse")
    services.make_pulse(db.session, pulse_template, actor=None)
    db.session.commit()
    for i, person in enumerate(people):
        for survey in (pre, post, legacy, named_pre, named_post, alone):
            answer(survey, person, {0: 1 + i % 5, 1: f"word{i}"})

    ids = {"survey_id": [s.id for s in db.session.scalars(select(Survey))],
           "set_id": [s.id for s in db.session.scalars(select(SurveySet))],
           "pilot_id": [pilot.id],
           "question_id": [(s.id, q.id) for s in db.session.scalars(select(Survey)) for q in s.questions]}
    documents = {}
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or not rule.endpoint.startswith(("surveys.", "reports.")):
            continue
        for values in _fill(rule, ids) or []:
            url = app.url_map.bind("localhost").build(rule.endpoint, values)
            response = pd_client.get(url)
            assert response.status_code < 500, url
            if response.status_code == 200:
                documents[url] = response.get_data(as_text=True)
    exports = [u for u in documents if u.endswith("results.csv")]
    assert len(exports) >= 6  # every answered survey's export was read

    codes_seen = set()
    for url, body in documents.items():
        codes = set(CODE.findall(body))
        codes_seen |= codes
        named = [n for n in names if n in body]
        assert not (codes and named), f"{url} shows respondent codes beside {named}"
    assert codes_seen  # the anonymous exports do carry codes
    # The identified exports carry the names and no code at all.
    for survey in (legacy, named_pre, named_post, alone):
        table = list(csv.reader(io.StringIO(documents[f"/surveys/{survey.id}/results.csv"])))
        assert table[0][0] == "name" and {row[0] for row in table[1:]} == set(names)
    # Inside the anonymous set one person keeps one code; nowhere else does a code come back.
    def codes_of(survey):
        return {row[0] for row in list(csv.reader(io.StringIO(documents[f"/surveys/{survey.id}/results.csv"])))[1:]}

    assert codes_of(pre) == codes_of(post) and len(codes_of(pre)) == 6


def pre_day():
    from milepost.core.model import utcnow

    return utcnow().date()
