"""The queue: oldest first, filters, a fixed number of queries whatever its length; the PD office pages."""
from datetime import timedelta

from sqlalchemy import update

from milepost.core.model import utcnow
from milepost.extensions import db
from milepost.reviews.models import ReviewTrack
from tests.helpers.app import count_queries
from tests.helpers.evidence import PROMPTS
from tests.helpers.reviews import scores


def queue_ids(client, **args):
    return [i["submission"] for i in client.get("/reviews/queue.json", query_string=args).json["items"]]


def test_the_queue_page_query_count_does_not_grow_with_its_length(people, use_chain, send, make_user, client_for):
    use_chain("coach")
    coach = client_for(people.coach)

    def add(n):
        for _ in range(n):
            send(make_user("teacher", school=people.school))

    add(2)
    coach.get("/reviews")  # warm up
    with count_queries() as small:
        page = coach.get("/reviews")
    assert page.status_code == 200 and page.get_data(as_text=True).count("/claim") == 2
    add(10)
    with count_queries() as large:
        page = coach.get("/reviews")
    assert page.get_data(as_text=True).count("/claim") == 12
    assert len(large) == len(small), (len(small), len(large))
    with count_queries() as json_large:
        assert len(coach.get("/reviews/queue.json").json["items"]) == 12
    assert len(json_large) <= len(large)


def test_the_queue_is_oldest_first_and_filters(people, use_chain, send, make_user, make_badge, client_for):
    use_chain("coach")
    other_badge = make_badge("exit-tickets", title="Exit Tickets", prompts=PROMPTS)
    first, second = send(people.teacher), send(people.outsider)
    third = send(people.peer, which=other_badge)
    db.session.execute(update(ReviewTrack).where(ReviewTrack.submission_id == second.id)
                       .values(entered_at=utcnow() - timedelta(days=9)))
    db.session.commit()
    coach = client_for(people.coach)
    assert queue_ids(coach) == [second.id, first.id, third.id]
    assert queue_ids(coach, badge=other_badge.id) == [third.id]
    assert queue_ids(coach, school=people.school.id) == [first.id, third.id]
    assert queue_ids(coach, waiting=7) == [second.id]
    assert queue_ids(coach, stage="peer") == []
    page = coach.get("/reviews", query_string={"stage": "coach", "waiting": "7"})
    assert page.status_code == 200 and f'href="/reviews/{second.id}"' in page.get_data(as_text=True)


def test_the_pd_office_pages(people, use_chain, send, client_for, as_role):
    use_chain("coach", ("district", 2))
    sub = send(people.teacher)
    pd = client_for(people.pd)
    assert "Goal Setting" in pd.get("/reviews/overview").get_data(as_text=True)
    client_for(people.coach).post(f"/reviews/{sub.id}", data=scores())
    pd.post(f"/reviews/{sub.id}", data=scores(level=2))
    client_for(people.pd2).post(f"/reviews/{sub.id}", data=scores(level=3))
    quality = pd.get("/reviews/quality").get_data(as_text=True)
    # the coach and Dana chose the same level, Drew another: 1 of 3 pairs agree on each criterion
    assert "Goal quality" in quality and "33%" in quality and "Drew District" in quality
    assert "Coach review" in pd.get("/reviews/chains").get_data(as_text=True)
    assert pd.get("/reviews/chains/default").status_code == 200
    saved = pd.post("/reviews/chains/default", data={
        "stages-0-kind": "peer", "stages-0-required_reviews": "1", "stages-0-skip_after_days": "3",
        "stages-1-kind": "coach", "stages-1-required_reviews": "2", "stages-1-skip_after_days": ""})
    assert saved.status_code == 302
    assert "Peer feedback" in pd.get("/reviews/chains").get_data(as_text=True)
    bad = pd.post("/reviews/chains/default", data={"stages-0-kind": "peer", "stages-0-required_reviews": "1"})
    assert bad.status_code == 400 and "someone has to decide" in bad.get_data(as_text=True)
    # a badge of its own chain, then back to the default
    assert pd.post("/reviews/chains", data={"badge_id": sub.badge_id}).status_code == 302
    assert pd.get(f"/reviews/chains/badge:{sub.badge_id}").status_code == 200
    for path in ("/reviews/overview", "/reviews/quality", "/reviews/chains"):
        assert client_for(people.coach).get(path).status_code == 403
