"""What sign-in does when other features' things happen (connected in milepost.signin.init_app)."""
from __future__ import annotations

from flask import current_app, url_for

from milepost.notifications.services import notify


def send_account_link(user, *, session, token: str, hours: float, welcome: bool) -> None:
    """accounts' account_link_issued: the reset or invitation link, as a security mail through
    notifications (HTML from the theme, retried if the mail server is down), sent once the token commits."""
    link = current_app.config["BASE_URL"].rstrip("/") + url_for("signin.reset_password", token=token)
    theme = current_app.extensions["milepost_theme"]
    if welcome:
        kind, subject = "account_invitation", f"Your {theme.display_name} account"
        message = f"Your {theme.display_name} account was made. We emailed you a link to choose your password."
    else:
        kind, subject = "password_reset", f"Reset your {theme.display_name} password"
        message = "Someone asked to reset your password; we emailed you a link. If it was not you, tell the PD office."
    notify(session, user, kind, subject=subject, context={"message": message, "hours": hours}, url=link,
           security=True)
