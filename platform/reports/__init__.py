"""District reports: the dashboard (district-wide, or a coach's own schools), one teacher's record
for HR and licensure questions, the credit-hours export and statement, and the audit log viewer."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from milepost.core.features import add_home_cards
    from milepost.reports import cli, views

    app.register_blueprint(views.bp)
    add_home_cards(app, views.home_cards, place=90)
    cli.init_cli(app)  # export credit-hours
