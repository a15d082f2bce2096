"""create_app(): settings, extensions, themes, blueprints, CLI commands and security headers."""
from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask, request, url_for
from flask_login import current_user

from milepost import config
from milepost.core import sqlite
from milepost.extensions import csrf, db, limiter, login_manager, migrate

CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
       "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")


# SQLite connections: foreign keys, WAL, busy timeout, and a BEGIN IMMEDIATE of our own before the first
# write of each transaction, so that a SAVEPOINT never commits by itself (see milepost/core/sqlite.py).
sqlite.install()


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask("milepost", root_path=str(config.ROOT), instance_path=config.instance_path_from_env(), static_folder=None,
                instance_relative_config=True)
    config.load_settings(app, test_config)
    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    from milepost.core.themes import init_themes
    init_themes(app)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(config.ROOT / "migrations"), render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    app.config.setdefault("RATELIMIT_ENABLED", not app.testing)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Please sign in to see that page."
    login_manager.login_message_category = "info"

    if app.config.get("PROXY_HOPS"):
        # Behind a load balancer: trust that many X-Forwarded-* hops for scheme, host and client IP.
        from werkzeug.middleware.proxy_fix import ProxyFix
        hops = int(app.config["PROXY_HOPS"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    _register_features(app)
    if app.config.get("BENCH_ROUTES"):
        _bench_routes(app)

    from milepost.core.errors import register_error_handlers
    register_error_handlers(app)
    _security_headers(app)
    _template_helpers(app)
    return app


def _register_features(app: Flask) -> None:
    from milepost import cli
    from milepost.accounts import admin as accounts_admin
    from milepost.accounts import models as _accounts_models  # noqa: F401 - tables for metadata
    from milepost.accounts import views as accounts_views
    from milepost.badges import api as badges_api
    from milepost.badges import cli as badges_cli
    from milepost.badges import demo as _badges_demo  # noqa: F401 - adds the demo catalogue step
    from milepost.badges import views as badges_views
    from milepost.core import audit as _audit  # noqa: F401
    from milepost.core import settings as _settings  # noqa: F401 - the site_setting table
    from milepost.core import views as core_views
    from milepost.awards import models as _award_models  # noqa: F401
    from milepost.evidence import hooks as evidence_hooks
    from milepost.points import demo as _points_demo  # noqa: F401 - adds the demo degree step
    from milepost.points import hooks as points_hooks
    from milepost.points import models as _points_models  # noqa: F401
    from milepost.points import views as points_views
    from milepost.notifications import hooks as notifications_hooks
    from milepost.notifications import views as notifications_views
    from milepost.reviews import hooks as reviews_hooks
    from milepost.reviews import views as reviews_views
    from milepost.evidence import views as evidence_views
    from milepost.signin import admin as signin_admin
    from milepost.signin import cli as signin_cli
    from milepost.signin import gate as signin_gate
    from milepost.signin import views as signin_views
    from milepost.surveys import cli as surveys_cli
    from milepost.surveys import demo as _surveys_demo  # noqa: F401 - adds the demo pilot and surveys step
    from milepost.surveys import views as surveys_views
    from milepost.credentials import hooks as credentials_hooks
    from milepost.credentials import models as _credentials_models  # noqa: F401
    from milepost.reports import cli as reports_cli
    from milepost.reports import views as reports_views

    app.register_blueprint(core_views.bp)
    app.register_blueprint(accounts_views.bp)
    app.register_blueprint(accounts_admin.bp)
    app.register_blueprint(badges_views.bp)
    app.register_blueprint(badges_api.bp)
    app.register_blueprint(evidence_views.bp)
    evidence_hooks.register(app)
    add_home_cards(app, evidence_hooks.home_cards)
    app.register_blueprint(points_views.bp)
    points_hooks.register(app)
    add_home_cards(app, points_views.home_cards)
    app.register_blueprint(notifications_views.bp)
    notifications_hooks.register(app)  # events -> notify, header count, send-digests, send-pending-mail, worker
    app.register_blueprint(reviews_views.bp)
    reviews_hooks.register(app)  # reviewer checks, chain hooks, send-reminders
    add_home_cards(app, reviews_hooks.home_cards)
    add_home_cards(app, accounts_admin.home_cards)
    add_home_cards(app, badges_views.home_cards)
    app.register_blueprint(signin_views.bp)
    app.register_blueprint(signin_admin.bp)
    add_home_cards(app, signin_admin.home_cards)
    signin_gate.init_app(app)
    signin_cli.register(app)
    cli.register(app)
    from milepost.privacy import views as privacy_views
    privacy_views.register(app)
    badges_cli.register(app)
    app.register_blueprint(surveys_views.bp)
    add_home_cards(app, surveys_views.home_cards)
    surveys_cli.register(app)
    credentials_hooks.register(app)
    app.register_blueprint(reports_views.bp)
    add_home_cards(app, reports_views.home_cards)
    reports_cli.register(app)


def _bench_routes(app: Flask) -> None:
    """Two reference pages for the HTTP benchmark's ratios (bench/http.py), only with MILEPOST_BENCH_ROUTES=1:
    the cheapest possible answer, and a plain 50-row page read from the database with the site's layout."""
    from flask import render_template_string
    from sqlalchemy import select

    from milepost.accounts.models import User
    from milepost.core.access import public

    @app.get("/_bench/hello")
    @public
    def bench_hello():
        return "Hello, world!"

    @app.get("/_bench/rows")
    @public
    def bench_rows():
        rows = db.session.execute(select(User.id, User.display_name).order_by(User.id).limit(50)).all()
        return render_template_string(
            "{% extends 'base.html' %}{% block content %}<table>{% for id, name in rows %}"
            "<tr><td>{{ id }}</td><td>{{ name }}</td></tr>{% endfor %}</table>{% endblock %}", rows=rows)


def add_home_cards(app: Flask, provider) -> None:
    app.extensions.setdefault("milepost_home", []).append(provider)


def _security_headers(app: Flask) -> None:
    @app.after_request
    def headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if response.mimetype == "text/html":
            response.headers.setdefault("Cache-Control", "no-store")
        if request.is_secure or app.config["BASE_URL"].startswith("https://"):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response


def _template_helpers(app: Flask) -> None:
    from milepost.reviews.access import may_review as _may_review
    from milepost.core.access import ROLE_LABELS
    from milepost.core.markdown import render_markdown

    app.jinja_env.filters["markdown"] = render_markdown

    @app.context_processor
    def navigation():
        links = []
        if current_user.is_authenticated:
            links.append(("Home", url_for("core.home")))
            links.append(("Catalogue", url_for("badges.catalogue")))
            links.append(("My badges", url_for("evidence.dashboard")))
            links.append(("Surveys", url_for("surveys.mine")))
            links.append(("Points", url_for("points.mine")))
            if _may_review(current_user):
                links.append(("Reviews", url_for("reviews.queue")))
            if current_user.has_role("pd_admin", "site_admin"):
                links.append(("Authoring", url_for("badges.authoring")))
                links.append(("People", url_for("admin.people")))
            if current_user.has_role("pd_admin", "site_admin", "leader", "coach"):
                links.append(("Reports", url_for("reports.dashboard")))
        return {"nav_links": links, "role_labels": ROLE_LABELS}
