"""People and the district's organisation: users, roles, schools, PLCs, rosters."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from milepost.accounts import admin, cli, demo, models  # noqa: F401 - models: the tables
    from milepost.core.features import add_demo_step, add_home_cards

    app.register_blueprint(admin.bp)
    add_home_cards(app, admin.home_cards, place=40)
    cli.init_cli(app)  # create-user, import-roster
    add_demo_step(app, demo.seed_people)
