"""Verifiable credentials: Open Badges 2.0 hosted documents, signed Open Badges 3.0 credentials, baked
images, status lists, public verification pages and the teacher's learning record."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from milepost.core import signals
    from milepost.core.features import add_home_cards
    from milepost.credentials import cli, keys, models, receivers, views  # noqa: F401 - models: the tables

    app.register_blueprint(views.bp)
    add_home_cards(app, views.home_cards, place=80)
    cli.init_cli(app)
    app.extensions.setdefault("milepost_reseal", []).append(keys.reseal_key_files)  # `milepost secrets reseal`
    signals.award_issued.connect(receivers.prepare_credential)
    signals.outside_credentials_asked.connect(receivers.outside_credentials)
