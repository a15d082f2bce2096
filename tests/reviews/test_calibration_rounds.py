"""Calibration that coaches do: blind rounds against exemplars with agreed scores, their result per
criterion, the PD office's agreement figures (exact, adjacent, Cohen's kappa from enough pairs) per coach,
per criterion and per month, and double-scoring of a sample of live submissions."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from milepost.core.errors import NotAllowed, ValidationFailed
from milepost.extensions import db
from milepost.reviews import services
from milepost.reviews.models import CalibrationScore, SecondScore
from tests.helpers.reviews import fresh, review_input

# --------------------------------------------------------------------------- the figures, by hand


def test_cohens_kappa_on_a_known_set():
    # Twelve pairs over three levels (coach, agreed):
    #   (0,0) x3, (1,1) x4, (2,2) x2, (0,1) x1, (1,2) x1, (2,1) x1
    pairs = [(0, 0)] * 3 + [(1, 1)] * 4 + [(2, 2)] * 2 + [(0, 1), (1, 2), (2, 1)]
    # Observed agreement p_o = 9/12 = 0.75.
    # The coach chose level 0 four times, 1 five times, 2 three times; the agreed scores were 0 three
    # times, 1 six times, 2 three times. Chance agreement p_e = (4*3 + 5*6 + 3*3) / 12^2 = 51/144.
    # kappa = (0.75 - 51/144) / (1 - 51/144) = (108 - 51) / (144 - 51) = 57/93 = 0.612903...
    assert services.cohens_kappa(pairs) == pytest.approx(57 / 93)
    f = services.figures(pairs)
    assert (f.pairs, f.exact, f.adjacent) == (12, 9, 12) and f.exact_percent == 75 and f.adjacent_percent == 100
    assert f.kappa == pytest.approx(0.6129, abs=1e-4)
    # Too few pairs: exact and adjacent agreement, but no kappa.
    few = services.figures(pairs[:services.MIN_KAPPA_PAIRS - 1])
    assert few.kappa is None and few.pairs == 9
    # Perfect agreement on a single level has no chance-corrected figure at all.
    assert services.cohens_kappa([(2, 2)] * 12) is None
    assert services.cohens_kappa([(0, 2), (2, 0)] * 6) == pytest.approx(-1.0)


# --------------------------------------------------------------------------- rounds against exemplars


@pytest.fixture
def exemplar(people, use_chain, send):
    """An awarded submission marked by the PD office as an exemplar, its agreed scores Meets and Exceeds."""
    use_chain("coach")
    sub = send(people.teacher)
    services.save_review(db.session, sub, review_input("coach", "meets", level=2), by=people.coach, submit=True)
    anchor = services.mark_anchor(db.session, fresh(sub), by=people.pd, note="Clear goals.")
    services.set_agreed_levels(db.session, anchor, {0: 2, 1: 3}, by=people.pd)
    db.session.commit()
    return anchor


def test_a_coach_scores_an_exemplar_blind_then_sees_their_scores_beside_the_agreed_ones(people, exemplar,
                                                                                        client_for):
    coach = client_for(people.coach2)
    listing = coach.get("/reviews/anchors").get_data(as_text=True)
    assert f'href="/reviews/anchors/{exemplar.id}/calibrate"' in listing
    blind = coach.get(f"/reviews/anchors/{exemplar.id}/calibrate").get_data(as_text=True)
    assert "Calibration round: Goal Setting" in blind
    assert 'class="chosen"' not in blind and "checked" not in blind  # no agreed or earlier scores shown
    refused = coach.post(f"/reviews/anchors/{exemplar.id}/calibrate", data={"level-0": "2"})
    assert refused.status_code == 400 and "Choose a level for “Reflection”." in refused.get_data(as_text=True)
    assert 'id="level-0-2" name="level-0" value="2" checked' in refused.get_data(as_text=True)

    done = coach.post(f"/reviews/anchors/{exemplar.id}/calibrate", data={"level-0": "2", "level-1": "1"})
    assert done.status_code == 302
    row = db.session.scalar(select(CalibrationScore))
    assert done.headers["Location"].endswith(f"/reviews/calibration/rounds/{row.id}")
    result = coach.get(done.headers["Location"]).get_data(as_text=True)
    assert "you matched the agreed level on 1 of 2 criteria" in result and "(1 within one level)" in result
    assert "<th scope=\"row\">Goal quality</th><td>Meets</td><td>Meets</td>" in result
    assert "<th scope=\"row\">Reflection</th><td>Developing</td><td>Exceeds</td>" in result
    assert "Further apart" in result
    # Someone else's round is not theirs to read; the PD office reads every one.
    assert client_for(people.coach).get(f"/reviews/calibration/rounds/{row.id}").status_code == 404
    assert client_for(people.pd).get(f"/reviews/calibration/rounds/{row.id}").status_code == 200


def test_calibration_rounds_are_refused_to_non_reviewers_and_to_the_exemplars_author(people, exemplar, client_for,
                                                                                    make_user):
    assert client_for(make_user("leader")).get(f"/reviews/anchors/{exemplar.id}/calibrate").status_code == 403
    with pytest.raises(NotAllowed):
        services.calibrate(db.session, exemplar, {0: 2, 1: 2}, by=people.teacher)  # their own work
    with pytest.raises(ValidationFailed):
        services.calibrate(db.session, exemplar, {0: 2, 1: 9}, by=people.coach2)
    assert client_for(people.coach).get("/reviews/anchors/999999/calibrate").status_code == 404


def test_the_pd_office_sees_agreement_per_coach_criterion_and_month(people, exemplar, client_for):
    # coach2 calibrates six times (twelve pairs); coach once (two pairs).
    for level0, level1 in [(2, 3), (2, 3), (1, 3), (2, 2), (2, 3), (3, 3)]:
        services.calibrate(db.session, exemplar, {0: level0, 1: level1}, by=people.coach2)
    services.calibrate(db.session, exemplar, {0: 2, 1: 1}, by=people.coach)
    db.session.commit()
    report = services.calibration_report(db.session)
    by_coach = dict(report.by_reviewer)
    cal, cora = by_coach["Cal Coach"], by_coach["Cora Coach"]
    assert (cal.pairs, cal.exact, cal.adjacent) == (12, 9, 12)
    # Hand-computed: agreed (2,3) each round -> agreed levels 2 x6, 3 x6; coach2 chose 1 x1, 2 x5, 3 x6.
    # p_o = 9/12; p_e = (5*6 + 6*6) / 144 = 66/144; kappa = (108 - 66) / (144 - 66) = 42/78.
    assert cal.kappa == pytest.approx(42 / 78)
    assert (cora.pairs, cora.exact, cora.kappa) == (2, 1, None)
    by_criterion = dict(report.by_criterion)
    assert by_criterion["Goal Setting: Goal quality"].exact == 5 and by_criterion["Goal Setting: Reflection"].exact == 5
    assert [f.pairs for _m, f in report.by_month] == [14]

    page = client_for(people.pd).get("/reviews/calibration").get_data(as_text=True)
    assert "<th scope=\"row\">Cal Coach</th><td>12</td><td>75%</td><td>100%</td>" in page
    assert "0.54" in page and "fewer than 10 pairs" in page
    assert client_for(people.coach).get("/reviews/calibration").status_code == 403


# --------------------------------------------------------------------------- double-scoring


def test_the_sample_is_fixed_and_about_the_share_asked():
    inside = sum(services.sampled(n, 1, 30) for n in range(1, 2001))
    assert 500 < inside < 700  # about 30% of 2,000
    assert all(services.sampled(n, 1, 100) for n in range(1, 50))
    assert not any(services.sampled(n, 1, 0) for n in range(1, 50))
    assert services.sampled(7, 1, 30) == services.sampled(7, 1, 30)


def test_a_second_blind_score_on_a_sampled_live_submission_and_its_agreement(people, use_chain, send, client_for,
                                                                             badge):
    use_chain("coach")
    pd = client_for(people.pd)
    assert pd.post("/reviews/calibration", data={"badge_id": badge.id, "percent": "101"}).status_code == 400
    assert pd.post("/reviews/calibration", data={"badge_id": badge.id, "percent": "100"}).status_code == 302
    assert services.double_scoring(db.session) == {badge.id: 100}
    sub = send(people.teacher)

    second = client_for(people.coach2)
    queue = second.get("/reviews").get_data(as_text=True)
    assert f'href="/reviews/{sub.id}/second-score"' in queue
    blind = second.get(f"/reviews/{sub.id}/second-score").get_data(as_text=True)
    assert "Second score: Goal Setting" in blind and "checked" not in blind
    assert second.post(f"/reviews/{sub.id}/second-score", data={"level-0": "2", "level-1": "1"}).status_code == 302
    assert second.post(f"/reviews/{sub.id}/second-score", data={"level-0": "2", "level-1": "1"}).status_code == 403
    assert f'href="/reviews/{sub.id}/second-score"' not in second.get("/reviews").get_data(as_text=True)
    assert fresh(sub).state == "submitted"  # a second score decides nothing

    # The deciding review on the same attempt is what the second score is compared with.
    services.save_review(db.session, fresh(sub), review_input("coach", "meets", level=2), by=people.coach,
                         submit=True)
    db.session.commit()
    report = services.double_scoring_report(db.session)
    (name, f), = report.by_reviewer
    assert name == "Cal Coach" and (f.pairs, f.exact, f.adjacent, f.kappa) == (2, 1, 2, None)
    assert db.session.scalar(select(SecondScore.levels)) == {"0": 2, "1": 1}
    assert "Second scores: by reviewer" in pd.get("/reviews/calibration").get_data(as_text=True)


def test_second_scores_are_refused_outside_the_sample_and_to_the_reviewer(people, use_chain, send, client_for, badge):
    use_chain("coach")
    sub = send(people.teacher)
    assert client_for(people.coach2).get(f"/reviews/{sub.id}/second-score").status_code == 403  # no share set
    services.set_double_scoring(db.session, badge, 100, by=people.pd)
    services.save_review(db.session, sub, review_input("coach", level=2), by=people.coach, submit=False)  # a draft
    db.session.commit()
    assert client_for(people.coach).get(f"/reviews/{sub.id}/second-score").status_code == 403  # reviewing it
    assert client_for(people.teacher).get(f"/reviews/{sub.id}/second-score").status_code == 404
    assert client_for(people.peer).get(f"/reviews/{sub.id}/second-score").status_code == 404
    with pytest.raises(NotAllowed):
        services.set_double_scoring(db.session, badge, 50, by=people.coach)
