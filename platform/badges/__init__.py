"""The badge catalogue: strands, badges, rubrics, prerequisites, versions, collections, authoring."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from milepost.badges import api, cli, demo, models, views  # noqa: F401 - models: the tables
    from milepost.core.features import add_demo_step, add_home_cards

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    add_home_cards(app, views.home_cards, place=50)
    cli.init_cli(app)  # export-badges, import-badges
    add_demo_step(app, demo.seed_demo_catalogue)
