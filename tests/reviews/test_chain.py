"""Walking submissions through review chains: stages, decisions, not yet and resubmission, pass-back,
skips, claims and their expiry, assignment, and the feedback the teacher reads."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from milepost.awards.models import Award
from milepost.core.errors import InvalidTransition, ValidationFailed
from milepost.core.model import utcnow
from milepost.extensions import db
from milepost.points.models import LedgerEntry
from milepost.reviews import services
from milepost.reviews.models import ReviewClaim, ReviewEvent, ReviewTrack, StageVisit
from tests.helpers.reviews import fresh, peer_feedback, review_input, scores


def in_queue(client, submission) -> bool:
    return submission.id in [item["submission"] for item in client.get("/reviews/queue.json").json["items"]]


def track(submission) -> ReviewTrack:
    db.session.expire_all()
    return db.session.get(ReviewTrack, submission.id)


def test_a_three_stage_chain_is_walked_end_to_end(people, use_chain, send, client_for):
    use_chain("peer", "coach", "district")
    sub = send(people.teacher)
    assert sub.state == "submitted" and track(sub).position == 1

    peer = client_for(people.peer)
    assert in_queue(peer, sub) and f'href="/reviews/{sub.id}"' in peer.get("/reviews").get_data(as_text=True)
    assert peer.post(f"/reviews/{sub.id}/claim").status_code == 302
    assert fresh(sub).state == "in_review" and fresh(sub).stage == 1
    assert peer.post(f"/reviews/{sub.id}", data=peer_feedback()).status_code == 302
    assert track(sub).position == 2 and fresh(sub).stage == 2

    coach = client_for(people.coach)
    page = coach.get(f"/reviews/{sub.id}").get_data(as_text=True)
    assert "Clear goals on every sheet." in page and "Peer thinks the sheets are strong." in page
    assert coach.post(f"/reviews/{sub.id}", data=scores(note="Coach: meets on both.")).status_code == 302
    assert track(sub).position == 3 and fresh(sub).stage == 3

    district = client_for(people.pd)
    assert "Coach: meets on both." in district.get(f"/reviews/{sub.id}").get_data(as_text=True)
    assert district.post(f"/reviews/{sub.id}", data=scores(level=3)).status_code == 302

    done = fresh(sub)
    assert done.state == "awarded"
    assert db.session.scalar(select(func.count()).select_from(Award).where(Award.user_id == people.teacher.id)) == 1
    kinds = db.session.execute(select(LedgerEntry.user_id, LedgerEntry.kind)).all()
    assert (people.teacher.id, "award") in kinds
    assert {(people.peer.id, "review"), (people.coach.id, "review"), (people.pd.id, "review")} <= set(kinds)
    visits = db.session.scalars(select(StageVisit).order_by(StageVisit.id)).all()
    assert [(v.kind, v.outcome) for v in visits] == [("peer", "advanced"), ("coach", "advanced"),
                                                     ("district", "awarded")]
    assert all(v.left_at >= v.entered_at for v in visits)
    # The teacher reads the structured feedback; private notes never reach them.
    teacher_page = client_for(people.teacher).get(f"/submissions/{sub.id}").get_data(as_text=True)
    assert "Feedback on attempt 1: meets" in teacher_page and "Clear goals on every sheet." in teacher_page
    assert "Peer thinks the sheets are strong." not in teacher_page and "Coach: meets on both." not in teacher_page


def test_the_default_chain_skips_peers_when_the_teacher_is_in_no_plc(people, send, make_user, client_for):
    loner = make_user("teacher", name="Lee Loner", school=people.school)
    sub = send(loner)
    assert track(sub).chain.scope == "default" and track(sub).position == 2  # peer -> coach, peer skipped
    event = db.session.scalar(select(ReviewEvent).where(ReviewEvent.action == "skip_stage"))
    assert event is not None and "nobody eligible" in event.note
    assert in_queue(client_for(people.coach), sub)


def test_outside_learning_goes_to_the_pd_office(people, make_badge, send, client_for):
    from tests.helpers.badges import outside_doc

    doc = outside_doc()
    conference = make_badge(doc["slug"], **{k: v for k, v in doc.items() if k not in ("slug", "status")})
    from milepost.evidence import services as evidence
    sub = evidence.start_badge(db.session, people.teacher, conference)
    evidence.save_link(db.session, sub, 0, "https://example.org/certificate", by=people.teacher)
    evidence.confirm_privacy(db.session, sub, by=people.teacher)
    evidence.transition(db.session, sub, "submit", by=people.teacher)
    db.session.commit()
    assert track(sub).chain.scope == "outside_learning" and track(sub).stage.kind == "district"
    assert client_for(people.coach).get(f"/reviews/{sub.id}").status_code == 404
    pd = client_for(people.pd)
    assert pd.post(f"/reviews/{sub.id}", data={"action": "submit", "decision": "meets"}).status_code == 302
    assert fresh(sub).state == "awarded"


def test_not_yet_returns_the_work_and_the_resubmission_goes_back_to_that_stage(people, use_chain, send, client_for):
    use_chain("peer", "coach", "district")
    sub = send(people.teacher)
    client_for(people.peer).post(f"/reviews/{sub.id}", data=peer_feedback())
    coach = client_for(people.coach)
    refused = coach.post(f"/reviews/{sub.id}", data=scores(level=1, decision="not_yet", feedback=""))
    assert refused.status_code == 400 and "feedback is required" in refused.get_data(as_text=True)
    coach.post(f"/reviews/{sub.id}", data=scores(level=1, decision="not_yet", feedback="Add a **second** goal sheet.",
                                                  note="Private: borderline."))
    returned = fresh(sub)
    assert returned.state == "returned" and returned.attempt_number == 2
    assert "Add a **second** goal sheet." in returned.attempts[0].feedback  # composed for the teacher
    assert "Clear goals on every sheet." in returned.attempts[0].feedback   # the peer's feedback too
    composed = returned.attempts[0].feedback
    assert composed.index("Add a **second** goal sheet.") < composed.index("Clear goals on every sheet."), \
        "the decision's reason comes before what earlier stages said"
    assert "Private: borderline." not in returned.attempts[0].feedback
    teacher = client_for(people.teacher)
    page = teacher.get(f"/submissions/{sub.id}").get_data(as_text=True)
    assert "<strong>second</strong>" in page and "Private: borderline." not in page

    from milepost.evidence import services as evidence
    evidence.confirm_privacy(db.session, returned, by=people.teacher)
    evidence.transition(db.session, returned, "resubmit", by=people.teacher)
    db.session.commit()
    assert track(sub).position == 2  # back to the coach stage, not to the peers
    assert not in_queue(client_for(people.peer2), sub)
    assert in_queue(coach, sub)
    coach.post(f"/reviews/{sub.id}", data=scores(level=2))
    assert track(sub).position == 3 and fresh(sub).stage == 3


def test_the_district_can_pass_work_back_to_the_coach(people, use_chain, send, client_for):
    use_chain("coach", "district")
    sub = send(people.teacher)
    coach = client_for(people.coach)
    coach.post(f"/reviews/{sub.id}", data=scores(level=2))
    district = client_for(people.pd)
    refused = district.post(f"/reviews/{sub.id}", data=scores(decision="pass_back", note=""))
    assert refused.status_code == 400 and "why you are passing it back" in refused.get_data(as_text=True)
    district.post(f"/reviews/{sub.id}", data=scores(decision="pass_back", note="Check criterion 2 again."))
    assert track(sub).position == 1 and fresh(sub).state == "in_review"
    assert db.session.scalar(select(ReviewClaim.user_id)) == people.coach.id  # handed back to the same coach
    assert "Check criterion 2 again." in coach.get(f"/reviews/{sub.id}").get_data(as_text=True)
    coach.post(f"/reviews/{sub.id}", data=scores(level=3))
    assert track(sub).position == 2
    district.post(f"/reviews/{sub.id}", data=scores(level=3))
    assert fresh(sub).state == "awarded"


def test_a_peer_cannot_fail_a_submission(people, use_chain, send):
    use_chain("peer", "coach")
    sub = send(people.teacher)
    with pytest.raises(ValidationFailed, match="not available at this stage"):
        services.save_review(db.session, sub, review_input("coach", decision="not_yet", feedback="No"),
                             by=people.peer, submit=True)


def test_a_draft_review_counts_only_once_submitted(people, use_chain, send, client_for):
    use_chain("coach")
    sub = send(people.teacher)
    coach = client_for(people.coach)
    assert coach.post(f"/reviews/{sub.id}", data=scores(action="save", feedback="Half way")).status_code == 302
    assert fresh(sub).state == "in_review" and track(sub).position == 1
    page = coach.get(f"/reviews/{sub.id}").get_data(as_text=True)
    assert "Half way" in page and 'value="2" checked' in page
    assert db.session.scalar(select(func.count()).select_from(LedgerEntry)) == 0


def test_a_claim_shows_as_taken_and_expires(people, use_chain, send, client_for):
    use_chain("peer", "coach")
    sub = send(people.teacher)
    services.claim(db.session, sub, by=people.peer)
    db.session.commit()
    other = client_for(people.peer2)
    assert "Taken by Pat Peer" in other.get("/reviews").get_data(as_text=True)
    assert other.get("/reviews/queue.json").json["items"][0]["taken"] is True
    with pytest.raises(InvalidTransition, match="already reviewing"):
        services.claim(db.session, fresh(sub), by=people.peer2)
    db.session.rollback()
    db.session.execute(ReviewClaim.__table__.update().values(expires_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    assert other.get("/reviews/queue.json").json["items"][0]["taken"] is False
    assert other.post(f"/reviews/{sub.id}/claim").status_code == 302
    # the first peer's claim ran out: their late review cannot take the stage back
    with pytest.raises(InvalidTransition, match="already reviewing"):
        services.save_review(db.session, fresh(sub), review_input("peer"), by=people.peer, submit=True)
    db.session.rollback()
    assert other.post(f"/reviews/{sub.id}/release").status_code == 302
    assert db.session.scalar(select(func.count()).select_from(ReviewClaim)
                             .where(ReviewClaim.user_id == people.peer2.id)) == 0


def test_the_claim_hours_setting_sets_the_expiry(people, use_chain, send, app):
    app.config["REVIEW_CLAIM_HOURS"] = 2
    use_chain("coach")
    sub = send(people.teacher)
    claim = services.claim(db.session, sub, by=people.coach)
    assert timedelta(hours=1, minutes=59) < claim.expires_at - claim.claimed_at <= timedelta(hours=2)


def test_the_pd_office_assigns_and_reassigns_to_named_reviewers(people, use_chain, send, client_for):
    use_chain("coach")
    sub = send(people.teacher)
    pd = client_for(people.pd)
    page = pd.get(f"/reviews/{sub.id}").get_data(as_text=True)
    assert page.index("Cora Coach") < page.index("Cal Coach")  # the earner's school first
    assert pd.post(f"/reviews/{sub.id}/assign", data={"reviewer_id": people.coach.id}).status_code == 302
    assert db.session.scalar(select(ReviewClaim.user_id)) == people.coach.id
    assert pd.post(f"/reviews/{sub.id}/assign", data={"reviewer_id": people.coach2.id}).status_code == 302
    db.session.expire_all()
    assert db.session.scalars(select(ReviewClaim.user_id)).all() == [people.coach2.id]
    refused = pd.post(f"/reviews/{sub.id}/assign", data={"reviewer_id": people.peer.id})
    assert refused.status_code == 400 and "cannot review" in refused.get_data(as_text=True)
    assert client_for(people.teacher).post(f"/reviews/{sub.id}/assign",
                                           data={"reviewer_id": people.coach.id}).status_code == 403


def test_a_stage_nobody_can_take_is_skipped_after_its_days(people, use_chain, make_user, send):
    use_chain(("peer", 1, 2), "coach")
    from milepost.accounts.models import PLC
    lonely = PLC(name="Just me", school=people.school)
    db.session.add(lonely)
    db.session.commit()
    loner = make_user("teacher", name="Lee Loner", plcs=[lonely])
    sub = send(loner)
    assert track(sub).position == 1
    services.send_reminders(db.session, now=utcnow() + timedelta(days=1))
    assert track(sub).position == 1
    services.send_reminders(db.session, now=utcnow() + timedelta(days=3))
    db.session.commit()
    assert track(sub).position == 2
    assert db.session.scalar(select(ReviewEvent.note).where(ReviewEvent.action == "skip_stage")).endswith("for 2 days.")


def test_a_chain_must_end_with_a_decision(app, use_chain):
    with pytest.raises(ValidationFailed, match="last stage must be a coach or district"):
        use_chain("coach", "peer")
    with pytest.raises(ValidationFailed, match="completeness check can only be the first"):
        use_chain("coach", "completeness", "district")


def test_the_completeness_check_returns_what_is_missing(people, use_chain, send, client_for):
    use_chain("completeness", "coach")
    sub = send(people.teacher)
    pd = client_for(people.pd)
    pd.post(f"/reviews/{sub.id}", data={"action": "submit", "decision": "incomplete",
                                        "feedback": "The video link is missing."})
    assert fresh(sub).state == "returned"
    assert "The video link is missing." in fresh(sub).attempts[0].feedback


def test_anonymised_reviewers_see_a_number_not_the_name(people, use_chain, send, client_for, app):
    app.config["REVIEW_ANONYMOUS"] = True
    use_chain("coach")
    sub = send(people.teacher)
    page = client_for(people.coach).get("/reviews").get_data(as_text=True)
    assert "Tess Teacher" not in page and f"Submission {track(sub).ref}" in page
