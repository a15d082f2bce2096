"""The demo district: `milepost seed-demo` runs each feature's demo step, in the order of
milepost.app.FEATURES (people first, then the catalogue, points, a year of reviews, the pilot and surveys).
Every step is idempotent (it looks before it adds), so running it again changes nothing."""
from __future__ import annotations

from flask import current_app

from milepost.accounts.demo import PASSWORD, SHOWN
from milepost.core.features import demo_steps

__all__ = ["PASSWORD", "seed"]


def sign_in_notes() -> list[str]:
    """What to know before signing in as the staff accounts (printed after the list of people)."""
    if not current_app.config.get("TWO_FACTOR_REQUIRED", True):
        return []
    return ["The PD office and site admin accounts (dana.whitfield, priya.raman) are asked to set up an",
            "authenticator app (a second factor) the first time they sign in. To skip that in a local demo,",
            "start it with: MILEPOST_TWO_FACTOR_REQUIRED=false make demo"]


def seed(session) -> dict:
    """Run every demo step in this app's order; what to tell the person who ran it."""
    people: dict = {}
    for step in demo_steps(current_app):
        step(session, people)
    session.flush()
    return {"password": PASSWORD, "people": SHOWN, "notes": sign_in_notes()}
