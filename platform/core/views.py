"""The home page and the health check."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import text

from milepost.core.access import public
from milepost.extensions import db

bp = Blueprint("core", __name__)


@bp.get("/")
@public
def home():
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login"))
    return render_template("home.html", sections=home_sections())


def home_sections() -> list[dict]:
    """The cards on the home page: each feature adds its own for the roles it serves."""
    cards = []
    for provider in current_app.extensions.get("milepost_home", []):
        cards.extend(provider(current_user) or [])
    return cards


@bp.get("/healthz")
@public
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any failure means the database does not answer
        current_app.logger.exception("health check: database did not answer")
        db.session.rollback()
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok", version=current_app.config.get("VERSION", "0.1.0"))
