"""People and the district's organisation: users, roles, schools, PLCs, rosters."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from milepost.accounts import cli, demo, models, views  # noqa: F401 - models: the tables
    from milepost.core.features import add_demo_step, add_home_cards

    app.register_blueprint(views.bp)
    add_home_cards(app, views.home_cards, place=40)
    cli.init_cli(app)  # create-user, import-roster
    add_demo_step(app, demo.seed_people)
