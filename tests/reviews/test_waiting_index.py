"""The queue's waiting index: every track's waiting kind is the kind of the stage its open
submission waits at, and nothing once decided, whatever moved it; the queue pages through everything."""
from sqlalchemy import select

from milepost.evidence import services as evidence
from milepost.evidence.models import Submission
from milepost.extensions import db
from milepost.reviews import services, views
from milepost.reviews.models import ReviewTrack
from tests.helpers.reviews import fresh, peer_feedback, scores


def assert_consistent():
    """The stored waiting kind of every track is the one the state and the chain give."""
    db.session.expire_all()
    for track, submission in db.session.execute(select(ReviewTrack, Submission).join(Submission)).all():
        stage = track.chain.stage_at(track.position)
        want = stage.kind if submission.state in services.OPEN and stage is not None else None
        assert track.waiting_kind == want, (submission.id, submission.state, track.position, track.waiting_kind)


def waiting(submission):
    db.session.expire_all()
    return db.session.get(ReviewTrack, submission.id).waiting_kind


def test_the_waiting_kind_follows_every_move_of_a_submission(people, use_chain, send, client_for):
    use_chain("peer", "coach")
    sub = send(people.teacher)
    assert waiting(sub) == "peer"
    client_for(people.peer).post(f"/reviews/{sub.id}", data=peer_feedback())
    assert waiting(sub) == "coach"
    client_for(people.coach).post(f"/reviews/{sub.id}", data=scores(decision="not_yet", feedback="Add a sample."))
    assert fresh(sub).state == "returned" and waiting(sub) is None
    assert_consistent()
    teacher = people.teacher
    again = fresh(sub)  # the earlier answers carry over to the new attempt
    evidence.confirm_privacy(db.session, again, by=teacher)
    evidence.transition(db.session, again, "resubmit", by=teacher)
    db.session.commit()
    assert waiting(sub) == "coach"  # back to the stage that returned it
    client_for(people.coach).post(f"/reviews/{sub.id}", data=scores())
    assert fresh(sub).state == "awarded" and waiting(sub) is None
    assert_consistent()


def test_withdrawing_and_editing_the_chain_keep_the_waiting_kind_right(people, use_chain, send):
    use_chain("peer", "coach")
    kept, withdrawn = send(people.teacher), send(people.peer)
    evidence.transition(db.session, fresh(withdrawn), "withdraw", by=people.peer)
    db.session.commit()
    assert waiting(withdrawn) is None and waiting(kept) == "peer"
    use_chain("coach", "district")  # position 1 is now a coach stage
    assert waiting(kept) == "coach" and waiting(withdrawn) is None
    assert_consistent()


def test_the_queue_pages_through_everything_oldest_first(people, use_chain, send, make_user, client_for, monkeypatch):
    use_chain("coach")
    sent = [send(make_user("teacher", school=people.school)).id for _ in range(5)]
    coach = people.coach
    first = services.queue(db.session, coach, limit=2)
    second = services.queue(db.session, coach, limit=2, after=first[-1].submission.id)
    third = services.queue(db.session, coach, limit=2, after=second[-1].submission.id)
    assert [r.submission.id for r in first + second + third] == sent
    monkeypatch.setattr(views, "QUEUE_PAGE", 3)
    client = client_for(coach)
    page = client.get("/reviews").get_data(as_text=True)
    assert page.count("/claim") == 3 and "Next page" in page
    following = page.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    rest = client.get(following).get_data(as_text=True)
    assert rest.count("/claim") == 2 and "Next page" not in rest and "Back to the longest waiting" in rest
    assert all(f'href="/reviews/{sid}"' in (page + rest) for sid in sent)
