"""Signing in: passwords (with sign-out, change and reset), OpenID Connect providers (Google, Microsoft
Entra ID, any OIDC issuer), the switch that turns local passwords off, and TOTP two-factor with recovery
codes."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from milepost.core import signals
    from milepost.core.features import add_home_cards
    from milepost.extensions import login_manager
    from milepost.signin import admin, cli, gate, models, receivers, views  # noqa: F401 - models: the tables

    login_manager.login_view = "signin.login"
    login_manager.login_message = "Please sign in to see that page."
    login_manager.login_message_category = "info"
    app.register_blueprint(views.bp)
    app.register_blueprint(admin.bp)
    add_home_cards(app, admin.home_cards, place=60)
    gate.init_app(app)  # nobody who owes a second factor holds a session without one
    cli.init_cli(app)  # reset-two-factor, local-passwords
    signals.account_link_issued.connect(receivers.send_account_link)
