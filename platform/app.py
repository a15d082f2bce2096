"""create_app(): settings, extensions, themes, then every feature's init_app in order, error pages and
security headers."""
from __future__ import annotations

import logging
from importlib import import_module

from flask import Flask, request, url_for
from flask_login import current_user

from milepost import config
from milepost.core import sqlite
from milepost.extensions import csrf, db, limiter, login_manager, migrate

# Every feature, lowest first: a feature imports only core and the features before it (an import-linter
# contract in setup.cfg checks), its init_app connects its signal receivers, and the receivers of a signal
# run in this order.
FEATURES = ("core", "accounts", "notifications", "signin", "badges", "evidence", "awards", "points", "reviews",
            "credentials", "surveys", "privacy", "reports")

CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
       "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")


# SQLite connections: foreign keys, WAL, busy timeout, and a BEGIN IMMEDIATE of our own before the first
# write of each transaction, so that a SAVEPOINT never commits by itself (see milepost/core/sqlite.py).
sqlite.install()


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask("milepost", root_path=str(config.ROOT), instance_path=config.instance_path_from_env(),
                static_folder=None, instance_relative_config=True)
    config.load_settings(app, test_config)
    from milepost.core.inputs import init_inputs
    init_inputs(app)  # before any blueprint adds a route: its `<int:...>` is the bounded one
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

    if app.config.get("PROXY_HOPS"):
        # Behind a load balancer: trust that many X-Forwarded-* hops for scheme, host and client IP.
        from werkzeug.middleware.proxy_fix import ProxyFix
        hops = int(app.config["PROXY_HOPS"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    _init_features(app)
    if app.config.get("BENCH_ROUTES"):
        _bench_routes(app)

    from milepost.core.errors import register_error_handlers
    register_error_handlers(app)
    _security_headers(app)
    _template_helpers(app)
    return app


def _init_features(app: Flask) -> None:
    """Each feature's init_app, in FEATURES order, then the app-level commands (seed-demo)."""
    from milepost import cli

    for name in FEATURES:
        import_module(f"milepost.{name}").init_app(app)
    cli.init_cli(app)


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
    from milepost.core.access import ROLE_LABELS
    from milepost.core.markdown import render_markdown
    from milepost.reviews.access import may_review as _may_review

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
