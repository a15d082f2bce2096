"""Pilots and surveys: cohorts and their dashboards, the survey builder, pre/mid/post sets
matched through pseudonyms, monthly pulses, results with the small-group rule, and CSV export."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from milepost.core.features import add_demo_step, add_home_cards
    from milepost.surveys import cli, demo, models, views  # noqa: F401 - models: the tables

    app.register_blueprint(views.bp)
    add_home_cards(app, views.home_cards, place=70)
    cli.init_cli(app)  # open-pulse-surveys, send-survey-reminders, seal-surveys
    add_demo_step(app, demo.seed_surveys)
