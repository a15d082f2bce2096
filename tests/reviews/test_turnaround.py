"""The queue shows what is late: items sent longer ago than the district's turnaround target
(REVIEW_TURNAROUND_DAYS) are marked and can be sorted first; a coach's home page leads with the oldest
waiting work."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from milepost.core.model import utcnow
from milepost.evidence.models import Submission
from milepost.extensions import db
from milepost.reviews.models import ReviewTrack


@pytest.fixture
def app_settings():
    return {"REVIEW_TURNAROUND_DAYS": 5}


def age(submission, *, sent_days: float, stage_days: float) -> None:
    now = utcnow()
    db.session.execute(update(Submission).where(Submission.id == submission.id)
                       .values(submitted_at=now - timedelta(days=sent_days)))
    db.session.execute(update(ReviewTrack).where(ReviewTrack.submission_id == submission.id)
                       .values(entered_at=now - timedelta(days=stage_days)))
    db.session.commit()


@pytest.fixture
def three(people, use_chain, send, make_user):
    use_chain("coach")
    others = [make_user("teacher", name=f"Teacher {n}", school=people.school) for n in range(2)]
    fresh_one, late, later_at_stage = send(people.teacher), send(others[0]), send(others[1])
    age(fresh_one, sent_days=1, stage_days=1)
    age(late, sent_days=9, stage_days=2)          # resubmitted long ago, back at this stage two days ago
    age(later_at_stage, sent_days=4, stage_days=4)  # waiting longest at its stage, still within the target
    return fresh_one, late, later_at_stage


def test_work_past_the_target_is_marked_in_the_queue_and_its_json(people, three, client_for):
    fresh_one, late, later_at_stage = three
    coach = client_for(people.coach)
    page = coach.get("/reviews").get_data(as_text=True)
    assert page.count("Past target") == 1 and "more than 5 days ago is past the" in page
    row = page[page.index(f'href="/reviews/{late.id}"'):]
    assert row[:row.index("</tr>")].count("Past target") == 1
    items = {i["submission"]: i for i in coach.get("/reviews/queue.json").json["items"]}
    assert items[late.id]["late"] is True and items[fresh_one.id]["late"] is False
    assert items[later_at_stage.id]["late"] is False and items[late.id]["sent_at"]


def test_the_queue_sorts_by_time_at_the_stage_or_since_sent(people, three, client_for):
    fresh_one, late, later_at_stage = three
    coach = client_for(people.coach)

    def order(url):
        page = coach.get(url).get_data(as_text=True)
        return sorted((fresh_one.id, late.id, later_at_stage.id), key=lambda i: page.index(f'href="/reviews/{i}"'))

    assert order("/reviews") == [later_at_stage.id, late.id, fresh_one.id]
    assert order("/reviews?sort=sent") == [late.id, later_at_stage.id, fresh_one.id]
    assert 'aria-sort="descending"><a href="/reviews?sort=sent">Since sent' in coach.get("/reviews?sort=sent").get_data(
        as_text=True)
    assert coach.get("/reviews?sort=nonsense").status_code == 200  # an unknown sort is the default one


def test_the_target_is_a_setting(people, three, client_for, app):
    _fresh, late, _later = three
    app.config["REVIEW_TURNAROUND_DAYS"] = 10
    items = {i["submission"]: i for i in client_for(people.coach).get("/reviews/queue.json").json["items"]}
    assert not any(i["late"] for i in items.values())
    app.config["REVIEW_TURNAROUND_DAYS"] = 3
    items = {i["submission"]: i for i in client_for(people.coach).get("/reviews/queue.json").json["items"]}
    assert {sid for sid, i in items.items() if i["late"]} == {late.id, _later.id}


def test_a_coach_home_page_leads_with_the_oldest_waiting_work(people, three, client_for):
    fresh_one, late, later_at_stage = three
    page = client_for(people.coach).get("/").get_data(as_text=True)
    cards = page[page.index('<ul class="cards">'):]
    first_card = cards[:cards.index("</li>\n")]
    assert "Waiting longest for your review" in first_card
    assert first_card.index(f'/reviews/{later_at_stage.id}"') < first_card.index(f'/reviews/{late.id}"') \
        < first_card.index(f'/reviews/{fresh_one.id}"')
    assert "sent 9 days ago, past the district&#39;s target" in first_card
    assert "sent 4 days ago</span>" in first_card  # within the target: not marked


def test_a_teacher_home_page_is_not_led_by_reviews(people, three, client_for):
    page = client_for(people.peer).get("/").get_data(as_text=True)
    assert "Waiting longest for your review" not in page
