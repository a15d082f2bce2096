"""Sign in and out, change a password, reset a forgotten one."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from milepost.accounts import services
from milepost.accounts.forms import ChangePasswordForm, LoginForm, ResetForm, ResetRequestForm
from milepost.accounts.models import User
from milepost.core.access import public, safe_next, signed_in
from milepost.core.errors import DomainError, ValidationFailed
from milepost.extensions import db, limiter, login_manager
from milepost.signin import gate

bp = Blueprint("accounts", __name__)
SIGN_IN_FAILED = "That email and password do not match an active account."


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    uid, _, version = user_id.partition(":")
    if not uid.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(uid))
    if user is None or user.session_version != int(version):
        return None
    return user


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _account_limit() -> str:
    return current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"]


def _account_key() -> str:
    """Attempts counted per account too, so guessing from many addresses is slowed as well.
    The windows expire, so nobody can lock a teacher out for good."""
    return "account:" + (request.form.get("email") or "").strip().lower()[:254]


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(_account_limit, key_func=_account_key, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next"), url_for("core.home")))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(db.session, form.email.data, form.password.data)
        refusal = gate.password_refusal(user)  # passwords switched off, except for break-glass admins
        if user is None or refusal:
            db.session.rollback()
            current_app.logger.info("failed sign-in from %s", request.remote_addr)
            services.record_failed_sign_in(db.session, form.email.data, request.remote_addr)
            db.session.commit()
            form.password.errors.append(refusal or SIGN_IN_FAILED)
        else:
            needs_code = gate.second_factor_needed(user)
            if needs_code:
                services.record_password_accepted(db.session, user)
            else:
                services.record_sign_in(db.session, user, method="password", second_factor="not needed")
            db.session.commit()
            next_url = request.args.get("next")
            session.clear()  # a fresh session at sign-in: nothing planted before it carries over
            if needs_code:
                return gate.hand_off(user, remember=form.remember.data, next_url=next_url)
            login_user(user, remember=form.remember.data)
            return redirect(safe_next(next_url, url_for("core.home")))
    return render_template("accounts/login.html", form=form), 200 if request.method == "GET" or not form.errors else 400


@bp.post("/logout")
@public
def logout():
    if current_user.is_authenticated:
        # The session is a signed cookie, so a copy taken before signing out would still work: signing
        # out retires every session of this person instead (as a password change does).
        current_user.session_version += 1
        db.session.commit()
    logout_user()
    session.clear()
    flash("You are signed out.", "success")
    return redirect(url_for("accounts.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@signed_in
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(db.session, current_user, form.current_password.data, form.new_password.data)
        except ValidationFailed as exc:
            db.session.rollback()
            field = form.current_password if "current" in exc.message else form.new_password
            field.errors.append(exc.message)
        else:
            db.session.commit()
            login_user(current_user._get_current_object())  # stay signed in with the new session version
            flash("Your password is changed.", "success")
            return redirect(url_for("core.home"))
    return render_template("accounts/change_password.html", form=form), 400 if form.errors else 200


def send_reset_email(user: User, token: str, *, welcome: bool = False) -> None:
    """The reset or invitation link, as a security mail through notifications (HTML from the theme,
    retried if the mail server is down). Called after the token's transaction has committed."""
    from milepost.notifications.services import notify

    link = current_app.config["BASE_URL"].rstrip("/") + url_for("accounts.reset_password", token=token)
    hours = services.INVITE_HOURS if welcome else current_app.config["PASSWORD_RESET_HOURS"]
    theme = current_app.extensions["milepost_theme"]
    if welcome:
        kind, subject = "account_invitation", f"Your {theme.display_name} account"
        message = f"Your {theme.display_name} account was made. We emailed you a link to choose your password."
    else:
        kind, subject = "password_reset", f"Reset your {theme.display_name} password"
        message = "Someone asked to reset your password; we emailed you a link. If it was not you, tell the PD office."
    notify(db.session, user, kind, subject=subject, context={"message": message, "hours": hours}, url=link,
           security=True)
    db.session.commit()


@bp.route("/reset", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(_account_limit, key_func=_account_key, methods=["POST"])
def request_reset():
    form = ResetRequestForm()
    if form.validate_on_submit():
        try:
            email = services.normalise_email(form.email.data)
        except ValidationFailed:
            email = None
        user = db.session.scalar(db.select(User).filter_by(email=email, active=True)) if email else None
        if user is not None:
            token = services.issue_reset_token(db.session, user, hours=current_app.config["PASSWORD_RESET_HOURS"])
            db.session.commit()
            send_reset_email(user, token)
        # The same answer whether or not the address has an account.
        flash("If that address has an account, a reset link is on its way. Check your email.", "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_request.html", form=form), 400 if form.errors else 200


@bp.route("/reset/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str):
    try:
        services.find_reset_token(db.session, token)
    except DomainError as exc:
        return render_template("accounts/reset_invalid.html", message=exc.message), 409
    form = ResetForm()
    if form.validate_on_submit():
        try:
            user = services.reset_password(db.session, token, form.new_password.data)
        except ValidationFailed as exc:
            db.session.rollback()
            form.new_password.errors.append(exc.message)
        else:
            if not gate.second_factor_needed(user):  # otherwise the sign-in is recorded once the code is checked
                services.record_sign_in(db.session, user, method="reset link", second_factor="not needed")
            db.session.commit()
            session.clear()  # a fresh session, as at sign-in
            login_user(user)
            flash("Your new password is set and you are signed in.", "success")
            return redirect(url_for("core.home"))
    return render_template("accounts/reset_password.html", form=form), 400 if form.errors else 200
