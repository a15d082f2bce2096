"""Review chains: PLC peers, coaches and the PD office reviewing evidence against the rubric."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    from milepost.core import signals
    from milepost.core.features import add_demo_step, add_home_cards
    from milepost.reviews import cli, demo, models, receivers, services, views  # noqa: F401 - models: the tables

    app.register_blueprint(views.bp)
    app.jinja_env.globals["review_feedback_for"] = views.review_feedback_for
    add_home_cards(app, views.home_cards, place=30)
    cli.init_cli(app)  # send-reminders
    signals.reviewer_asked.connect(receivers.is_reviewer)
    signals.submission_changed.connect(receivers.follow_submission)
    # Eligibility answers are kept for the length of a read; any write or new transaction forgets them.
    for name in ("after_flush", "after_commit", "after_rollback", "after_soft_rollback"):
        if not event.contains(Session, name, services.clear_cache):
            event.listen(Session, name, services.clear_cache)
    add_demo_step(app, demo.seed_history)
    add_demo_step(app, demo.seed_exemplars)  # after the history: exemplars are chosen from its awards
