"""How credentials plug in: the blueprint, the award listener, the home cards and the CLI commands."""
from __future__ import annotations

from flask import Flask

from milepost.awards import services as awards
from milepost.credentials import cli, services, views


def register(app: Flask) -> None:
    from milepost.app import add_home_cards

    app.register_blueprint(views.bp)
    if services.on_award_issued not in awards.on_issued:
        awards.on_issued.append(services.on_award_issued)
    # Revocation needs no listener: the revocation list, the status-list bit and the public page all
    # read Award.revoked_at, which awards.services.revoke_award sets.
    add_home_cards(app, views.home_cards)
    cli.register(app)
