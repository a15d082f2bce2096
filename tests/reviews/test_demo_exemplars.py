"""The demo district ships exemplars: awarded submissions of several badges, marked by the PD office with
agreed scores through the same services as the pages, once (seeding again adds none)."""
from __future__ import annotations

from sqlalchemy import func, select

from milepost.extensions import db
from milepost.reviews import services
from milepost.reviews.models import Anchor


def test_seed_demo_makes_exemplars_with_agreed_scores_for_several_badges(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    anchors = db.session.scalars(select(Anchor)).all()
    assert len(anchors) == 3 and len({a.submission.badge_id for a in anchors}) == 3
    for anchor in anchors:
        criteria = services.rubric(anchor.submission)["criteria"]
        assert anchor.submission.state == "awarded" and anchor.note and anchor.marked_by_id
        assert sorted(int(k) for k in anchor.agreed_levels) == list(range(len(criteria)))
        # The agreed scores are those of its deciding review, which supported "meets".
        assert services.score_check(services.rubric(anchor.submission),
                                    services.agreed_levels(db.session, anchor)).supports_meets
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert db.session.scalar(select(func.count()).select_from(Anchor)) == 3
