"""Data rights: a person's own copy of everything held about them, anonymising a departed
teacher, and how long evidence files are kept."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from milepost.privacy import cli, views

    app.register_blueprint(views.bp)
    cli.init_cli(app)  # prune-evidence, export-person
