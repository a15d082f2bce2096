"""Points, the district degree, rewards and leaderboards, all derived from an append-only ledger."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from milepost.core import signals
    from milepost.core.features import add_demo_step, add_home_cards
    from milepost.points import cli, demo, models, receivers, standings, views  # noqa: F401 - models: the tables

    app.register_blueprint(views.bp)
    app.before_request(views.celebrate)
    add_home_cards(app, views.home_cards, place=20)
    cli.init_cli(app)
    signals.award_issued.connect(receivers.credit_award)
    signals.award_revoked.connect(receivers.reverse_award)
    standings.listen()  # school and PLC totals kept in step with people and memberships
    add_demo_step(app, demo.seed_points)
