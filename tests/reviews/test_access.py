"""Eligibility and conflicts: who may see or open a submission in review (queue, JSON, review page,
evidence page and file downloads), and each conflict rule refusing."""
import pytest

from milepost.awards.services import issue_award
from milepost.core.errors import NotAllowed
from milepost.evidence import services as evidence
from milepost.extensions import db
from milepost.reviews import services
from tests.helpers.reviews import files_of, fresh, peer_feedback, review_input, scores


def sees(client, submission) -> dict[str, int]:
    """What a person gets at every door to a submission."""
    files = files_of(submission)
    queue = client.get("/reviews/queue.json")
    return {
        "queue": int(queue.status_code == 200 and submission.id in [i["submission"] for i in queue.json["items"]]),
        "review_page": client.get(f"/reviews/{submission.id}").status_code,
        "evidence_page": client.get(f"/submissions/{submission.id}").status_code,
        "file": client.get(f"/evidence/files/{files['sheet.png'].id}").status_code,
        "student_file": client.get(f"/evidence/files/{files['class.pdf'].id}").status_code,
    }


YES = {"queue": 1, "review_page": 200, "evidence_page": 200, "file": 200, "student_file": 200}
NO = {"queue": 0, "review_page": 404, "evidence_page": 404, "file": 404, "student_file": 404}


def test_only_eligible_reviewers_see_or_open_an_item(people, use_chain, send, client_for, as_role):
    use_chain("peer", "coach")
    sub = send(people.teacher)
    peer, outsider, coach = client_for(people.peer), client_for(people.outsider), client_for(people.coach)
    assert sees(peer, sub) == YES
    assert sees(outsider, sub) == NO
    assert sees(coach, sub) == NO  # not the coach's stage yet
    assert outsider.get("/reviews/queue.json").status_code == 403  # in no PLC, no reviewer role
    assert as_role("leader").get(f"/reviews/{sub.id}").status_code == 404
    # The PD office oversees every chain but does not see items showing students unless reviewing.
    pd = sees(client_for(people.pd), sub)
    assert pd["review_page"] == 200 and pd["file"] == 200 and pd["student_file"] == 404 and pd["queue"] == 0

    peer.post(f"/reviews/{sub.id}", data=peer_feedback())
    assert sees(coach, sub) == YES
    assert sees(client_for(people.peer2), sub) == NO  # a peer who took no part
    # the peer took part in an earlier stage: they still see it, but can no longer score it
    took_part = sees(peer, sub)
    assert took_part["review_page"] == 200 and took_part["student_file"] == 200 and took_part["queue"] == 0
    assert peer.post(f"/reviews/{sub.id}", data=scores()).status_code == 403


def test_nobody_reviews_their_own_submission(people, use_chain, send, client_for):
    use_chain("coach")
    own = send(people.coach)
    coach = client_for(people.coach)
    assert own.id not in [i["submission"] for i in coach.get("/reviews/queue.json").json["items"]]
    assert coach.post(f"/reviews/{own.id}/claim").status_code == 404
    with pytest.raises(NotAllowed):
        services.save_review(db.session, own, review_input("coach", "meets"), by=people.coach, submit=True)


def test_nobody_reviews_one_submission_at_two_stages(people, use_chain, send, make_user, client_for):
    use_chain("peer", "coach")
    both = make_user("coach", "teacher", name="Pia Peer-Coach", school=people.school, plcs=[people.plc])
    sub = send(people.teacher)
    services.save_review(db.session, sub, review_input("peer"), by=both, submit=True)
    db.session.commit()
    assert fresh(sub).stage == 2
    with pytest.raises(NotAllowed, match="current stage"):
        services.save_review(db.session, fresh(sub), review_input("coach", "meets"), by=both, submit=True)
    db.session.rollback()
    assert sub.id not in [i["submission"] for i in client_for(both).get("/reviews/queue.json").json["items"]]
    assert both.id not in [u.id for u in services.eligible_reviewers(db.session, fresh(sub))]
    assert people.coach.id in [u.id for u in services.eligible_reviewers(db.session, fresh(sub))]


def test_peers_review_only_their_plc_members(people, use_chain, send):
    use_chain("peer", "coach")
    sub = send(people.teacher)
    assert not services.eligible_now(db.session, people.outsider, sub)
    assert not evidence.is_reviewer(people.outsider, sub)
    with pytest.raises(NotAllowed):
        services.claim(db.session, sub, by=people.outsider)
    assert evidence.is_reviewer(people.peer, sub)


def test_only_badge_holders_peer_review_when_the_district_says_so(people, use_chain, send, badge, app):
    app.config["REVIEW_PEERS_MUST_HOLD_BADGE"] = True
    use_chain("peer", "coach")
    sub = send(people.teacher)
    assert not services.eligible_now(db.session, people.peer, sub)
    assert [u.id for u in services.eligible_reviewers(db.session, sub)] == []
    issue_award(db.session, user_id=people.peer.id, badge=badge, version=fresh(sub).badge_version, how="direct",
                note="Earned before")
    db.session.commit()
    assert services.eligible_now(db.session, people.peer, fresh(sub))
    assert not services.eligible_now(db.session, people.peer2, fresh(sub))
