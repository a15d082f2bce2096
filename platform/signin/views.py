"""Every way in and out: the password sign-in, signing out, changing and resetting a password, sign-in with
a district provider, the second-factor step after a password, setting up an authenticator app, and each
person's own two-factor page."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from milepost.accounts import services as accounts
from milepost.accounts.models import User
from milepost.core.access import public, safe_next, signed_in
from milepost.core.errors import DomainError, ValidationFailed
from milepost.core.inputs import parse_int
from milepost.extensions import db, limiter, login_manager
from milepost.signin import gate, oidc, services, totp
from milepost.signin.forms import ChangePasswordForm, CodeForm, EnrolForm, LoginForm, ResetForm, ResetRequestForm
from milepost.signin.models import SignInProvider

bp = Blueprint("signin", __name__)
SIGN_IN_FAILED = "That email and password do not match an active account."
FLOW = "signin_flow"


def _code_limit() -> str:
    return current_app.config["TWO_FACTOR_RATE_LIMIT"]


def _code_key() -> str:
    """Count code attempts per person, not per address: a second factor must not be guessable
    from many machines at once."""
    pending = session.get(gate.PENDING) or {}
    uid = current_user.id if current_user.is_authenticated else pending.get("uid")
    return f"two-factor:{uid}" if uid else f"two-factor-ip:{request.remote_addr}"


# --- passwords ----------------------------------------------------------------------------

@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    uid, _, version = user_id.partition(":")
    uid, version = parse_int(uid, minimum=1), parse_int(version, minimum=0)
    if uid is None or version is None:
        return None
    user = db.session.get(User, uid)
    if user is None or user.session_version != version:
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
        user = accounts.authenticate(db.session, form.email.data, form.password.data)
        refusal = gate.password_refusal(user)  # passwords switched off, except for break-glass admins
        if user is None or refusal:
            db.session.rollback()
            current_app.logger.info("failed sign-in from %s", request.remote_addr)
            accounts.record_failed_sign_in(db.session, form.email.data, request.remote_addr)
            db.session.commit()
            form.password.errors.append(refusal or SIGN_IN_FAILED)
        else:
            needs_code = gate.second_factor_needed(user)
            if needs_code:
                accounts.record_password_accepted(db.session, user)
            else:
                accounts.record_sign_in(db.session, user, method="password", second_factor="not needed")
            db.session.commit()
            next_url = request.args.get("next")
            session.clear()  # a fresh session at sign-in: nothing planted before it carries over
            if needs_code:
                return gate.hand_off(user, remember=form.remember.data, next_url=next_url)
            login_user(user, remember=form.remember.data)
            return redirect(safe_next(next_url, url_for("core.home")))
    return render_template("signin/login.html", form=form), 200 if request.method == "GET" or not form.errors else 400


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
    return redirect(url_for("signin.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@signed_in
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(db.session, current_user, form.current_password.data, form.new_password.data)
        except ValidationFailed as exc:
            db.session.rollback()
            field = form.current_password if "current" in exc.message else form.new_password
            field.errors.append(exc.message)
        else:
            db.session.commit()
            login_user(current_user._get_current_object())  # stay signed in with the new session version
            flash("Your password is changed.", "success")
            return redirect(url_for("core.home"))
    return render_template("signin/change_password.html", form=form), 400 if form.errors else 200


@bp.route("/reset", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(_account_limit, key_func=_account_key, methods=["POST"])
def request_reset():
    form = ResetRequestForm()
    if form.validate_on_submit():
        try:
            email = accounts.normalise_email(form.email.data)
        except ValidationFailed:
            email = None
        user = db.session.scalar(db.select(User).filter_by(email=email, active=True)) if email else None
        if user is not None:
            # The email goes out once this commits (signin.receivers.send_account_link).
            accounts.issue_reset_token(db.session, user, hours=current_app.config["PASSWORD_RESET_HOURS"])
            db.session.commit()
        # The same answer whether or not the address has an account.
        flash("If that address has an account, a reset link is on its way. Check your email.", "success")
        return redirect(url_for("signin.login"))
    return render_template("signin/reset_request.html", form=form), 400 if form.errors else 200


@bp.route("/reset/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str):
    try:
        accounts.find_reset_token(db.session, token)
    except DomainError as exc:
        return render_template("signin/reset_invalid.html", message=exc.message), 409
    form = ResetForm()
    if form.validate_on_submit():
        try:
            user = accounts.reset_password(db.session, token, form.new_password.data)
        except ValidationFailed as exc:
            db.session.rollback()
            form.new_password.errors.append(exc.message)
        else:
            if not gate.second_factor_needed(user):  # otherwise the sign-in is recorded once the code is checked
                accounts.record_sign_in(db.session, user, method="reset link", second_factor="not needed")
            db.session.commit()
            session.clear()  # a fresh session, as at sign-in
            login_user(user)
            flash("Your new password is set and you are signed in.", "success")
            return redirect(url_for("core.home"))
    return render_template("signin/reset_password.html", form=form), 400 if form.errors else 200


# --- district providers -------------------------------------------------------------------

def _enabled_provider(slug: str) -> SignInProvider:
    provider = db.session.scalar(select(SignInProvider).where(SignInProvider.slug == slug,
                                                              SignInProvider.enabled.is_(True)))
    if provider is None:
        abort(404)
    return provider


def _config(provider: SignInProvider) -> oidc.ProviderConfig:
    return oidc.ProviderConfig(issuer=provider.issuer, client_id=provider.client_id,
                               client_secret=provider.client_secret)


def redirect_uri(provider: SignInProvider) -> str:
    return current_app.config["BASE_URL"].rstrip("/") + url_for("signin.callback", slug=provider.slug)


def _refused(provider: SignInProvider, exc: DomainError):
    reason = getattr(exc, "reason", "unknown")
    current_app.logger.warning("sign-in with %s refused (%s) from %s", provider.slug, reason, request.remote_addr)
    refused = isinstance(exc, services.SignInRefused)
    return render_template("signin/refused.html", provider=provider, message=exc.message, refused=refused,
                           reason=reason), exc.status


@bp.get("/signin/<slug>")
@public
def start(slug: str):
    provider = _enabled_provider(slug)
    try:
        url, flow = oidc.start(_config(provider), redirect_uri(provider))
    except oidc.SignInError as exc:
        return _refused(provider, exc)
    flow.update(provider=provider.slug, next=safe_next(request.args.get("next"), url_for("core.home")))
    session[FLOW] = flow
    return redirect(url)


@bp.get("/signin/<slug>/callback")
@public
def callback(slug: str):
    provider = _enabled_provider(slug)
    flow = session.pop(FLOW, None)  # single use, whatever happens next
    if flow and flow.get("provider") != provider.slug:
        flow = None
    try:
        claims = oidc.finish(_config(provider), flow, request.args, redirect_uri(provider))
        user = services.resolve_sign_in(db.session, provider, claims)
    except (oidc.SignInError, services.SignInRefused) as exc:
        db.session.rollback()
        return _refused(provider, exc)
    db.session.commit()
    login_user(user)
    # The district's provider did the authenticating (and its own multi-factor, if it has one).
    gate.mark_verified(user, strong=True)
    current_app.logger.info("user %s signed in with %s", user.id, provider.slug)
    return redirect(flow["next"])


@bp.app_template_global()
def signin_login_options() -> dict:
    """What the login page's include shows: a button per enabled provider, and whether passwords
    are switched off."""
    try:
        providers = services.enabled_providers(db.session)
        passwords = services.local_passwords_allowed(db.session)
    except SQLAlchemyError:
        # The sign-in page must never break on an optional part (e.g. before `milepost db upgrade`).
        db.session.rollback()
        current_app.logger.exception("sign-in providers could not be read; has `milepost db upgrade` run?")
        providers, passwords = [], True
    return {"providers": providers, "passwords": passwords, "next": request.args.get("next")}


# --- the second factor after a password ---------------------------------------------------

def _start_again():
    session.pop(gate.PENDING, None)
    flash("Please sign in again: that sign-in was not finished in time.", "info")
    return redirect(url_for("signin.login"))


@bp.route("/signin/two-factor", methods=["GET", "POST"])
@public
@limiter.limit(_code_limit, key_func=_code_key, methods=["POST"])
def second_factor():
    user = gate.pending_user()
    if user is None:
        return _start_again()
    if not services.has_second_factor(db.session, user):
        return redirect(url_for("signin.enrol"))
    form = CodeForm()
    if form.validate_on_submit():
        try:
            used = services.check_second_factor(db.session, user, form.code.data)
        except DomainError as exc:
            db.session.rollback()
            current_app.logger.info("wrong second-factor code for user %s from %s", user.id, request.remote_addr)
            accounts.record_wrong_second_factor(db.session, user, request.remote_addr)
            db.session.commit()
            form.code.errors.append(exc.message)
        else:
            pending = session[gate.PENDING]
            left = services.recovery_codes_left(db.session, user)
            services.record_second_factor_sign_in(db.session, user, pending, used)
            db.session.commit()
            login_user(user, remember=pending["remember"])
            gate.mark_verified(user, strong=True)
            if used == "recovery":
                flash(f"You used a recovery code; {left} are left. "
                      + ("Make new ones soon from your two-factor page." if left <= 3 else ""), "info")
            return redirect(pending["next"])
    return render_template("signin/second_factor.html", form=form, user=user), 400 if form.errors else 200


@bp.route("/signin/two-factor/set-up", methods=["GET", "POST"])
@public
@limiter.limit(_code_limit, key_func=_code_key, methods=["POST"])
def enrol():
    """Set up an authenticator app: while signing in (password checked, nobody signed in yet) or
    from one's own two-factor page."""
    if current_user.is_authenticated:
        user, pending = current_user._get_current_object(), None
    else:
        user, pending = gate.pending_user(), session.get(gate.PENDING)
        if user is None:
            return _start_again()
    if services.has_second_factor(db.session, user):
        return redirect(url_for("signin.second_factor") if pending else url_for("signin.account"))
    # The secret waits in the database (sealed, never in the session cookie) until a code proves the app has it.
    data = {"uid": user.id, "secret": services.setup_secret(db.session, user)}
    db.session.commit()
    form = EnrolForm()
    if form.validate_on_submit():
        try:
            codes = services.enrol(db.session, user, data["secret"], form.code.data)
        except DomainError as exc:
            db.session.rollback()
            form.code.errors.append(exc.message)
        else:
            if pending:  # set up while signing in: this finishes the sign-in
                services.record_second_factor_sign_in(db.session, user, pending, "set up now")
            db.session.commit()
            if pending:
                login_user(user, remember=pending["remember"])
            gate.mark_verified(user, strong=True)
            next_url = pending["next"] if pending else url_for("signin.account")
            return render_template("signin/recovery_codes.html", codes=codes, next_url=next_url, first_time=True)
    theme = current_app.extensions["milepost_theme"]
    uri = totp.provisioning_uri(data["secret"], account=user.email, issuer=theme.display_name)
    return render_template("signin/enrol.html", form=form, qr=totp.qr_svg(uri), key=totp.grouped(data["secret"]),
                           pending=pending is not None, required=services.second_factor_required(user)), \
        400 if form.errors else 200


# --- one's own two-factor page ------------------------------------------------------------

@bp.get("/account/two-factor")
@signed_in
def account():
    user = current_user._get_current_object()
    enrolled = services.has_second_factor(db.session, user)
    return render_template("signin/account.html", enrolled=enrolled, form=CodeForm(),
                           left=services.recovery_codes_left(db.session, user) if enrolled else 0,
                           required=services.second_factor_required(user))


@bp.post("/account/two-factor/recovery-codes")
@signed_in
@limiter.limit(_code_limit, key_func=_code_key)
def new_recovery_codes():
    user = current_user._get_current_object()
    form = CodeForm()
    if form.validate_on_submit():
        try:
            codes = services.replace_recovery_codes(db.session, user, form.code.data)
        except DomainError as exc:
            db.session.rollback()
            form.code.errors.append(exc.message)
        else:
            db.session.commit()
            return render_template("signin/recovery_codes.html", codes=codes, next_url=url_for("signin.account"),
                                   first_time=False)
    enrolled = services.has_second_factor(db.session, user)
    return render_template("signin/account.html", enrolled=enrolled, form=form,
                           left=services.recovery_codes_left(db.session, user) if enrolled else 0,
                           required=services.second_factor_required(user)), 400
