"""Nothing a reviewer types is lost: a refused submit keeps every field on the page with the reasons beside
them (and as a real draft when it can be kept), and the draft is saved on the server while they work, so a
new session finds it."""
from __future__ import annotations

from sqlalchemy import select

from milepost.extensions import db
from milepost.reviews.models import Review, ReviewStatus
from tests.helpers.reviews import fresh

TYPED = {"level-0": "3", "comment-0": "Every sheet names a measurable goal.", "comment-1": "Reflection is brief.",
         "decision": "not_yet", "feedback": "", "private_note": "Check the second sheet closely."}


def draft_of(submission, user) -> Review | None:
    db.session.expire_all()
    return db.session.scalar(select(Review).where(Review.submission_id == submission.id,
                                                  Review.reviewer_id == user.id))


def test_a_refused_submit_keeps_every_field_beside_its_reason_and_as_a_draft(people, use_chain, send, client_for):
    use_chain("coach", "district")
    sub = send(people.teacher)
    coach = client_for(people.coach)
    response = coach.post(f"/reviews/{sub.id}", data={**TYPED, "action": "submit"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    # What was typed is all on the page again.
    assert 'id="level-0-3" name="level-0" value="3" checked' in page
    assert "Every sheet names a measurable goal." in page and "Reflection is brief." in page
    assert "Check the second sheet closely." in page and '<option selected value="not_yet">' in page
    # Each reason sits beside its field: the unscored criterion, and the feedback "not yet" needs.
    assert 'id="criterion-1-error">Choose a level for “Reflection”.' in page
    assert 'id="feedback-error"' in page and "feedback is required" in page
    # And it is truly kept, as the page says.
    assert "What you typed is saved as your draft" in page
    draft = draft_of(sub, people.coach)
    assert draft.status == ReviewStatus.DRAFT and draft.decision == "not_yet"
    assert draft.private_note == "Check the second sheet closely."
    assert {s.criterion_index: (s.level, s.comment) for s in draft.scores} == {
        0: (3, "Every sheet names a measurable goal."), 1: (None, "Reflection is brief.")}
    assert fresh(sub).state in ("submitted", "in_review")


def test_a_refused_submit_that_cannot_be_kept_says_so_and_still_shows_the_text(people, use_chain, send, client_for):
    use_chain("coach")
    sub = send(people.teacher)
    coach = client_for(people.coach)
    too_long = "x" * 10001
    response = coach.post(f"/reviews/{sub.id}", data={**TYPED, "feedback": too_long, "action": "submit"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "saved as your draft" not in page and "saved as a draft" not in page and "(not saved yet)" in page
    assert too_long in page and "Every sheet names a measurable goal." in page
    assert 'id="feedback-error"' in page
    assert draft_of(sub, people.coach) is None


def test_the_draft_is_kept_while_the_coach_works_and_survives_a_new_session(people, use_chain, send, client_for):
    use_chain("coach", "district")
    sub = send(people.teacher)
    first = client_for(people.coach)
    answer = first.post(f"/reviews/{sub.id}/autosave", data={**TYPED, "level-1": "2", "action": "save"},
                        headers={"Accept": "application/json"})
    assert answer.status_code == 200 and answer.get_json()["saved"] is True
    # Typing on: the same draft is updated, never a second one.
    first.post(f"/reviews/{sub.id}/autosave", data={**TYPED, "level-1": "2", "feedback": "Add a third sheet."})
    assert db.session.scalar(select(db.func.count()).select_from(Review).where(Review.submission_id == sub.id)) == 1

    later = client_for(people.coach)  # a new session: another browser, or after the old one timed out
    page = later.get(f"/reviews/{sub.id}").get_data(as_text=True)
    assert 'id="level-0-3" name="level-0" value="3" checked' in page
    assert 'id="level-1-2" name="level-1" value="2" checked' in page
    assert "Every sheet names a measurable goal." in page and "Add a third sheet." in page
    assert "Check the second sheet closely." in page and '<option selected value="not_yet">' in page
    assert draft_of(sub, people.coach).status == ReviewStatus.DRAFT
    assert fresh(sub).state == "in_review"  # a draft decides nothing


def test_autosave_is_refused_to_people_who_may_not_score(people, use_chain, send, client_for):
    use_chain("coach")
    sub = send(people.teacher)
    assert client_for(people.peer).post(f"/reviews/{sub.id}/autosave", data=TYPED).status_code == 404
    assert client_for(people.teacher).post(f"/reviews/{sub.id}/autosave", data=TYPED).status_code == 404
    # The PD office may open the page but cannot take a coach's stage.
    refused = client_for(people.pd).post(f"/reviews/{sub.id}/autosave", data=TYPED)
    assert refused.status_code == 403 and refused.get_json()["error"]["status"] == 403
    assert client_for(people.coach).post("/reviews/999999/autosave", data=TYPED).status_code == 404
    assert db.session.scalar(select(Review).where(Review.submission_id == sub.id)) is None


def test_autosave_refuses_a_bad_level_with_a_message_and_saves_nothing(people, use_chain, send, client_for):
    use_chain("coach")
    sub = send(people.teacher)
    answer = client_for(people.coach).post(f"/reviews/{sub.id}/autosave", data={**TYPED, "level-0": "9"})
    assert answer.status_code == 400 and "Choose one of the rubric's levels" in answer.get_json()["error"]["message"]
    assert draft_of(sub, people.coach) is None


def test_autosave_after_the_decision_says_it_was_decided(people, use_chain, send, client_for):
    use_chain("coach")
    sub = send(people.teacher)
    coach = client_for(people.coach)
    done = coach.post(f"/reviews/{sub.id}", data={"action": "submit", "level-0": "2", "level-1": "2",
                                                  "decision": "meets", "feedback": "Good."})
    assert done.status_code == 302 and fresh(sub).state == "awarded"
    late = coach.post(f"/reviews/{sub.id}/autosave", data=TYPED)
    assert late.status_code in (403, 409) and late.get_json()["error"]["message"]
