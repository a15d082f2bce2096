"""A review form with junk in its score fields answers 400 with the form, never a 500."""
import pytest

from tests.helpers.reviews import fresh, scores


@pytest.mark.parametrize("junk", ["²", "٣", "99999999999999999999", "-1"])
def test_a_non_ascii_or_huge_level_is_a_form_error(people, use_chain, send, client_for, junk):
    use_chain("coach")
    submission = send(people.teacher)
    before = fresh(submission).state
    data = scores(level=2)
    data["level-0"] = junk
    response = client_for(people.coach).post(f"/reviews/{submission.id}", data=data)
    assert response.status_code == 400
    assert "Solid evidence." in response.get_data(as_text=True)  # what the coach typed is kept
    # the refused submit keeps the typing as the coach's draft, and a draft starts the review; nothing is decided
    assert before == "submitted" and fresh(submission).state == "in_review"
