"""What every feature shares: the model base, the view access decorators and roles, errors, signals, mail,
audit, themes, site settings, the home page and the health check."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from milepost.core import audit, cli, settings, views  # noqa: F401 - audit, settings: their tables

    app.register_blueprint(views.bp)
    cli.init_cli(app)  # backup, restore and the `export` group
