"""The home page and the health check."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import text

from milepost.core.access import Role, public, roles, signed_in
from milepost.core.features import home_card_providers
from milepost.extensions import db

bp = Blueprint("core", __name__)


@bp.get("/")
@signed_in
def home():
    return render_template("home.html", sections=home_sections())


def home_sections() -> list[dict]:
    """The cards on the home page: each feature adds its own for the roles it serves."""
    cards = []
    for provider in home_card_providers(current_app):
        cards.extend(provider(current_user) or [])
    # A card marked "lead" (work waiting for this person now) comes first; the rest keep their places.
    return sorted(cards, key=lambda card: not card.get("lead"))


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


@bp.route("/admin/site", methods=["GET", "POST"])
@roles(Role.SITE_ADMIN)
def site_settings():
    """The site admin's settings: which theme the district's Milepost wears."""
    from flask import flash, request
    from flask_login import current_user

    from milepost.core import audit
    from milepost.core.settings import set_setting

    themes = current_app.extensions["milepost_themes"]
    available = themes.available()
    if request.method == "POST":
        chosen = request.form.get("theme", "")
        if chosen not in {t.name for t in available}:
            flash("Choose one of the themes listed.", "error")
        else:
            set_setting(db.session, "theme", chosen, by=current_user)
            audit.record(db.session, "site.theme_changed", actor=current_user, theme=chosen)
            db.session.commit()
            themes.use(chosen)
            flash(f"{themes.get(chosen).display_name} is now the theme for everyone.", "success")
            return redirect(url_for("core.site_settings"))
    return render_template("admin/site.html", available=available, active=themes.active)
