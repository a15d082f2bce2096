"""The sign-in gate: what the password login view asks before signing someone in, the pending
second-factor state kept in the session, and a request hook that makes sure nobody who needs a
second factor holds a session without one (a reset link or a remember-me cookie included)."""
from __future__ import annotations

import time

from flask import Flask, redirect, request, session, url_for
from flask_login import current_user, logout_user, user_logged_in, user_logged_out

from milepost.core.access import safe_next
from milepost.extensions import db
from milepost.signin import services

PENDING = "signin_pending"  # password checked, second factor not yet: {uid, ver, remember, next, at, via}
VERIFIED = "signin_verified"  # {uid, strong}: strong = signed in with a provider or with a second factor
PENDING_SECONDS = 600
_EXEMPT = {"theme.static", "theme.theme_css", "core.healthz", "signin.logout",
           "signin.second_factor", "signin.enrol", "signin.start", "signin.callback"}


def password_refusal(user) -> str | None:
    return services.password_refusal(db.session, user)


def second_factor_needed(user) -> bool:
    return services.second_factor_needed(db.session, user)


def hand_off(user, *, remember: bool, next_url: str | None, via: str = "password"):
    """Keep 'password checked' in the session and send the person to the second-factor step.
    Flask-Login is not told about them until that step passes. `via` is how the first step was
    passed, for the audit entry of the sign-in: "password", or "earlier session" (a reset link or a
    remember-me cookie that still owes its second factor)."""
    session.pop(VERIFIED, None)
    session[PENDING] = {"uid": user.id, "ver": user.session_version, "remember": bool(remember),
                        "next": safe_next(next_url, url_for("core.home")), "at": int(time.time()), "via": via}
    return redirect(url_for("signin.second_factor"))


def pending_user():
    """The person part-way through signing in, or None if there is none (or it went stale:
    too old, account deactivated, password changed since)."""
    from milepost.accounts.models import User

    pending = session.get(PENDING)
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    user = db.session.get(User, pending["uid"])
    if user is None or not user.active or user.session_version != pending["ver"]:
        return None
    return user


def mark_verified(user, *, strong: bool) -> None:
    session.pop(PENDING, None)
    session[VERIFIED] = {"uid": user.id, "strong": strong}


def _enforce_second_factor():
    if request.endpoint in _EXEMPT or not current_user.is_authenticated:
        return None
    user = current_user._get_current_object()
    mark = session.get(VERIFIED) or {}
    if mark.get("uid") == user.id and (mark.get("strong") or not services.second_factor_required(user)):
        return None  # role checks are in memory: no query on most requests
    if mark.get("uid") != user.id and not services.second_factor_needed(db.session, user):
        session[VERIFIED] = {"uid": user.id, "strong": False}
        return None
    # Signed in without the second factor (a reset link, a remember-me cookie, a new role): ask for it.
    logout_user()
    return hand_off(user, remember=False, next_url=request.full_path.rstrip("?") if request.method == "GET" else None,
                    via="earlier session")


def _note_sign_in(sender, user, **extra) -> None:
    """At sign-in, note whether this person needs no second factor at all, so later requests need
    no query to know. Someone who does need one is left unmarked until the second factor passes."""
    mark = session.get(VERIFIED) or {}
    if mark.get("uid") == user.id and mark.get("strong"):
        return
    if services.second_factor_needed(db.session, user):
        session.pop(VERIFIED, None)
    else:
        session[VERIFIED] = {"uid": user.id, "strong": False}


def _forget(sender, user, **extra) -> None:
    session.pop(VERIFIED, None)
    session.pop(PENDING, None)
    session.pop("signin_flow", None)
    session.pop("signin_enrol", None)


def init_app(app: Flask) -> None:
    app.config.setdefault("TWO_FACTOR_REQUIRED", not app.testing)
    app.config.setdefault("TWO_FACTOR_RATE_LIMIT", "5 per minute;30 per hour")
    app.before_request(_enforce_second_factor)
    user_logged_in.connect(_note_sign_in, app)
    user_logged_out.connect(_forget, app)
