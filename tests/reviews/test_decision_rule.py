"""The decision rule: "meets" needs every criterion at or above the meets level, unless the badge allows a
holistic judgement and the reviewer says why; the credential says which; the scoring page says so live; the
PD office's report lists past awards whose scores disagree with their decision."""
from __future__ import annotations

import pytest
from sqlalchemy import select, update

from milepost.awards.models import Award
from milepost.core.errors import ValidationFailed
from milepost.extensions import db
from milepost.reviews import services
from milepost.reviews.models import DECISIONS, Review, ReviewScore, StageKind
from tests.helpers.badges import badge_doc
from tests.helpers.evidence import PROMPTS
from tests.helpers.reviews import fresh, review_input

RUBRIC = badge_doc()["rubric"]  # Beginning, Developing, Meets, Exceeds; meets = "Meets" (index 2)


def coach_input(levels, decision="meets", reason="", feedback="Good.") -> services.ReviewInput:
    return services.ReviewInput(decision=decision, feedback=feedback, holistic_reason=reason,
                                scores={i: {"level": lv, "comment": f"c{i}"} for i, lv in enumerate(levels)})


# --------------------------------------------------------------------------- the rule itself, every stage kind


@pytest.mark.parametrize("kind", list(StageKind))
def test_the_rule_applies_to_meets_at_scored_stages_only(kind):
    below = {0: 1, 1: 3}
    problems = services.meets_problems(RUBRIC, kind, "meets", below, "")
    if kind in (StageKind.COACH, StageKind.DISTRICT):
        assert [field for field, _ in problems] == ["decision"]
        assert "“Goal quality” is below it" in problems[0][1]
    else:  # completeness and peer stages score no levels and cannot decide "meets" at all (DECISIONS)
        assert problems == []
        assert "meets" not in DECISIONS[kind]
    # Scores at or above the meets level always support "meets"; "not yet" is never held back by the rule.
    assert services.meets_problems(RUBRIC, kind, "meets", {0: 2, 1: 3}, "") == []
    assert services.meets_problems(RUBRIC, kind, "not_yet", below, "") == []


@pytest.mark.parametrize("kind", [StageKind.COACH, StageKind.DISTRICT])
def test_a_holistic_meets_needs_the_badge_to_allow_it_and_a_reason(kind):
    holistic = {**RUBRIC, "allow_holistic": True}
    missing = services.meets_problems(holistic, kind, "meets", {0: 1, 1: 2}, "  ")
    assert [field for field, _ in missing] == ["holistic_reason"]
    assert services.meets_problems(holistic, kind, "meets", {0: 1, 1: 2}, "The goal sheets show it overall.") == []
    # The same reason on a badge that does not allow it changes nothing.
    assert services.meets_problems(RUBRIC, kind, "meets", {0: 1, 1: 2}, "The goal sheets show it overall.") != []


def test_score_check_names_what_is_below_and_what_is_unscored():
    check = services.score_check(RUBRIC, {0: 0, 1: None})
    assert check.below == ["Goal quality"] and check.unscored == ["Reflection"] and not check.supports_meets
    assert services.score_check(RUBRIC, {0: 2, 1: 3}).supports_meets
    no_rubric = {"levels": [], "meets_level": None, "criteria": []}
    assert services.score_check(no_rubric, {}).supports_meets


@pytest.mark.parametrize("kind", list(StageKind))
def test_meets_is_refused_or_unavailable_at_every_kind_of_stage_when_a_criterion_is_below(people, use_chain, send,
                                                                                            kind):
    if kind in (StageKind.COMPLETENESS, StageKind.PEER):
        use_chain(kind, "coach")
    else:
        use_chain(kind)
    sub = send(people.teacher)
    reviewer = people.peer if kind == StageKind.PEER else people.coach if kind == StageKind.COACH else people.pd
    with pytest.raises(ValidationFailed) as refused:
        services.save_review(db.session, sub, coach_input([1, 3]), by=reviewer, submit=True)
    db.session.rollback()
    if kind in (StageKind.COACH, StageKind.DISTRICT):
        assert isinstance(refused.value, services.ReviewIncomplete)
        assert refused.value.field_problems[0][0] == "decision"
    else:
        assert "not available at this stage" in refused.value.message
    assert fresh(sub).state in ("submitted", "in_review")
    assert db.session.scalar(select(Award).where(Award.submission_id == sub.id)) is None


# --------------------------------------------------------------------------- the award and its credential


@pytest.fixture
def holistic_badge(make_badge):
    doc = badge_doc()
    return make_badge("goal-setting-whole", title="Goal Setting as a whole", prompts=PROMPTS,
                      rubric={**doc["rubric"], "allow_holistic": True})


def test_a_holistic_meets_with_a_reason_awards_and_the_credential_quotes_it(people, use_chain, send, client,
                                                                            holistic_badge):
    use_chain("coach")
    sub = send(people.teacher, holistic_badge)
    reason = "The second goal sheet shows students owning their goals, which outweighs the thin first one."
    services.save_review(db.session, sub, coach_input([1, 3], reason=reason), by=people.coach, submit=True)
    db.session.commit()
    award = db.session.scalar(select(Award).where(Award.submission_id == sub.id))
    assert fresh(sub).state == "awarded" and award is not None
    review = db.session.scalar(select(Review).where(Review.submission_id == sub.id))
    assert review.holistic_reason == reason

    ob3 = client.get(f"/ob/v3/credentials/{award.public_id}").get_json()
    criteria = ob3["credentialSubject"]["achievement"]["criteria"]["narrative"]
    assert "How this award was judged: Judged as a whole" in criteria and reason in criteria
    assert "Every rubric criterion was judged" not in criteria
    ob2 = client.get(f"/ob/v2/assertions/{award.public_id}").get_json()
    assert ob2["narrative"].startswith("How this award was judged: Judged as a whole") and reason in ob2["narrative"]
    badgeclass = client.get(f"/ob/v2/badgeclasses/{award.badge_version_id}").get_json()
    assert "judge the evidence as a whole" in badgeclass["criteria"]["narrative"]
    assert reason not in badgeclass["criteria"]["narrative"]  # the class is shared by every award


def test_a_meets_on_scores_alone_says_every_criterion_was_met(people, use_chain, send, client, holistic_badge):
    use_chain("coach")
    sub = send(people.teacher, holistic_badge)
    # A reason typed although the scores support "meets" is not kept: the credential must not call it holistic.
    services.save_review(db.session, sub, coach_input([2, 3], reason="Left over."), by=people.coach, submit=True)
    db.session.commit()
    award = db.session.scalar(select(Award).where(Award.submission_id == sub.id))
    assert db.session.scalar(select(Review.holistic_reason).where(Review.submission_id == sub.id)) == ""
    ob3 = client.get(f"/ob/v3/credentials/{award.public_id}").get_json()
    criteria = ob3["credentialSubject"]["achievement"]["criteria"]["narrative"]
    assert "How this award was judged: Every rubric criterion was judged at “Meets” or above." in criteria
    assert "as a whole: " not in criteria
    ob2 = client.get(f"/ob/v2/assertions/{award.public_id}").get_json()
    assert ob2["narrative"] == "How this award was judged: Every rubric criterion was judged at “Meets” or above."


def test_a_badge_that_does_not_allow_it_never_says_holistic(people, use_chain, send, client, badge):
    use_chain("coach")
    sub = send(people.teacher)
    services.save_review(db.session, sub, coach_input([3, 2]), by=people.coach, submit=True)
    db.session.commit()
    award = db.session.scalar(select(Award).where(Award.submission_id == sub.id))
    badgeclass = client.get(f"/ob/v2/badgeclasses/{award.badge_version_id}").get_json()
    assert "as a whole" not in badgeclass["criteria"]["narrative"]
    assert "each criterion at “Meets” or above" in badgeclass["criteria"]["narrative"]


def test_allow_holistic_is_off_by_default_and_kept_in_the_badge_document(make_badge):
    from milepost.badges.services import badge_document

    plain = make_badge("plain")
    assert plain.allow_holistic is False and "allow_holistic" not in badge_document(plain)["rubric"]
    allowed = make_badge("allowed", rubric={**badge_doc()["rubric"], "allow_holistic": True})
    assert allowed.allow_holistic is True and badge_document(allowed)["rubric"]["allow_holistic"] is True
    assert allowed.versions[-1].snapshot["rubric"]["allow_holistic"] is True


def test_the_exchange_format_refuses_a_non_boolean_allow_holistic():
    from milepost.badges import services as badges

    _doc, problems = badges.clean_badge_document(badge_doc(rubric={**badge_doc()["rubric"], "allow_holistic": "yes"}))
    assert ("rubric", "The rubric's allow_holistic must be true or false.") in problems


# --------------------------------------------------------------------------- the scoring page


def test_the_page_refuses_meets_beside_the_decision_and_keeps_what_was_typed(people, use_chain, send, client_for):
    use_chain("coach")
    sub = send(people.teacher)
    coach = client_for(people.coach)
    form = {"action": "submit", "level-0": "1", "level-1": "3", "comment-0": "Goals are vague.",
            "comment-1": "Deep reflection.", "decision": "meets", "feedback": "Strong reflection overall."}
    response = coach.post(f"/reviews/{sub.id}", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "saved as a draft" not in page and "Your review is not submitted yet" in page
    assert 'id="level-0-1" name="level-0" value="1" checked' in page
    assert 'id="level-1-3" name="level-1" value="3" checked' in page
    assert "Goals are vague." in page and "Deep reflection." in page and "Strong reflection overall." in page
    assert '<option selected value="meets">' in page
    # The reason sits beside the decision field, and the live check (rendered by the server) agrees.
    assert 'id="decision-error"' in page and "“Goal quality” is below it" in page
    assert "These scores do not support “meets”" in page
    assert fresh(sub).state in ("submitted", "in_review")


def test_the_page_says_when_the_scores_support_meets(people, use_chain, send, client_for):
    use_chain("coach")
    sub = send(people.teacher)
    coach = client_for(people.coach)
    page = coach.get(f"/reviews/{sub.id}").get_data(as_text=True)
    assert "Score every criterion to see whether the scores support “meets” (2 still to score)." in page
    assert 'data-meets-index="2"' in page and "js/reviews.js" in page
    coach.post(f"/reviews/{sub.id}", data={"action": "save", "level-0": "2", "level-1": "3", "decision": ""})
    page = coach.get(f"/reviews/{sub.id}").get_data(as_text=True)
    assert "These scores support “meets”: every criterion is at “Meets” or above." in page
    assert "holistic_reason" not in page  # the badge does not allow a holistic judgement


def test_the_holistic_reason_is_asked_for_beside_its_field(people, use_chain, send, client_for, holistic_badge):
    use_chain("coach")
    sub = send(people.teacher, holistic_badge)
    coach = client_for(people.coach)
    form = {"action": "submit", "level-0": "1", "level-1": "3", "decision": "meets", "feedback": "Good."}
    response = coach.post(f"/reviews/{sub.id}", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and 'id="holistic_reason-error"' in page
    response = coach.post(f"/reviews/{sub.id}", data={**form, "holistic_reason": "The whole is convincing."})
    assert response.status_code == 302 and fresh(sub).state == "awarded"


# --------------------------------------------------------------------------- the PD office's report


def test_the_report_lists_past_awards_whose_scores_disagree_and_changes_nothing(people, use_chain, send, client_for):
    use_chain("coach")
    good, legacy = send(people.teacher), send(people.peer)
    for sub in (good, legacy):
        services.save_review(db.session, sub, review_input("coach", "meets", level=2), by=people.coach, submit=True)
    db.session.commit()
    # As a "meets" decided before the rule held would be stored: one criterion below the meets level.
    review_id = db.session.scalar(select(Review.id).where(Review.submission_id == legacy.id))
    db.session.execute(update(ReviewScore).where(ReviewScore.review_id == review_id,
                                                 ReviewScore.criterion_index == 1).values(level=0))
    db.session.commit()

    found = services.disagreeing_awards(db.session)
    assert [(row.award.submission_id, row.below) for row in found] == [(legacy.id, ["Reflection"])]
    pd = client_for(people.pd)
    page = pd.get("/reviews/disagreements").get_data(as_text=True)
    assert f"Submission {legacy.id}" in page and f"Submission {good.id}" not in page and "Reflection" in page
    assert client_for(people.coach).get("/reviews/disagreements").status_code == 403
    award = db.session.scalar(select(Award).where(Award.submission_id == legacy.id))
    assert award.revoked_at is None and fresh(legacy).state == "awarded"
    # Its credential says only what is true of it.
    assert services.award_judgement(db.session, award) == "The reviewer judged that the evidence meets the standard."
