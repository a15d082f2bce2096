"""Evidence of practice: submissions, their attempts and items, and the files behind them."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from milepost.core import signals
    from milepost.core.features import add_home_cards
    from milepost.evidence import receivers, views

    app.register_blueprint(views.bp)
    app.jinja_env.globals["my_submission"] = views.my_submission
    add_home_cards(app, views.home_cards, place=10)
    signals.progress_asked.connect(receivers.badges_under_way)
