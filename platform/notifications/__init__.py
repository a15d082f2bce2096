"""Notifications: in-app messages and email (immediately, in a daily digest, or not at all)."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from milepost.core import signals
    from milepost.notifications import cli, models, receivers, views  # noqa: F401 - models: the tables

    app.register_blueprint(views.bp)
    app.jinja_env.globals["unread_notifications"] = views.unread_notifications
    cli.init_cli(app)  # send-digests, send-pending-mail, worker
    signals.submission_changed.connect(receivers.submission_changed)
    signals.award_issued.connect(receivers.award_issued)
    signals.tier_reached.connect(receivers.tier_reached)
    signals.reward_fulfilled.connect(receivers.reward_fulfilled)
