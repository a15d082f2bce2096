"""Site administrator pages for district sign-in: providers, the password switch, break-glass
accounts and resetting someone's two-factor sign-in."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from milepost.accounts.models import User, UserRole
from milepost.core.access import Role, roles
from milepost.core.forms import apply_change, choices
from milepost.extensions import db
from milepost.signin import access, oidc, services
from milepost.signin.forms import BreakGlassForm, ButtonForm, PasswordPolicyForm, ProviderForm
from milepost.signin.models import ProviderKind, SignInProvider
from milepost.signin.views import redirect_uri

bp = Blueprint("signin_admin", __name__, url_prefix="/admin/sign-in")
site_admin = roles(*access.ADMIN_ROLES)


def _site_admin_choices(exclude: set[int]):
    people = db.session.scalars(select(User).join(UserRole).where(UserRole.role == Role.SITE_ADMIN,
                                                                  User.active.is_(True))
                                .order_by(User.display_name)).all()
    return choices((u.id, f"{u.display_name} ({u.email})") for u in people if u.id not in exclude)


def _overview(policy_form=None, glass_form=None, status=200):
    providers = db.session.scalars(select(SignInProvider).order_by(SignInProvider.name)).all()
    glass = services.break_glass_admins(db.session)
    policy_form = policy_form or PasswordPolicyForm(local_passwords=services.local_passwords_allowed(db.session))
    glass_form = glass_form or BreakGlassForm()
    glass_form.user_id.choices = _site_admin_choices({u.id for u in glass})
    return render_template("signin/admin_index.html", providers=providers,
                           linked={p.id: services.linked_count(db.session, p) for p in providers},
                           glass=glass, policy_form=policy_form, glass_form=glass_form, button=ButtonForm(),
                           passwords=services.local_passwords_allowed(db.session)), status


@bp.get("/")
@site_admin
def index():
    return _overview()


def _provider_form(provider: SignInProvider | None) -> ProviderForm:
    if provider is not None:
        form = ProviderForm(obj=provider)
        if request.method == "GET":
            form.allowed_domains.data = provider.allowed_domains
        return form
    preset = request.args.get("kind", ProviderKind.OIDC)
    preset = preset if preset in oidc.PRESETS else ProviderKind.OIDC
    defaults = oidc.PRESETS[preset]
    return ProviderForm(kind=preset, name=defaults["name"], issuer=defaults["issuer"],
                        trust_unverified_email_claim=defaults["trust_unverified_email_claim"], enabled=True)


@bp.route("/providers/new", methods=["GET", "POST"])
@bp.route("/providers/<int:provider_id>", methods=["GET", "POST"])
@site_admin
def edit_provider(provider_id: int | None = None):
    provider = db.get_or_404(SignInProvider, provider_id) if provider_id else None
    form = _provider_form(provider)
    if form.validate_on_submit():
        done = apply_change(
            lambda: services.save_provider(
                db.session, provider, actor=current_user, name=form.name.data, kind=form.kind.data,
                issuer=form.issuer.data, client_id=form.client_id.data, client_secret=form.client_secret.data,
                allowed_domains=form.allowed_domains.data, create_accounts=form.create_accounts.data,
                trust_unverified_email_claim=form.trust_unverified_email_claim.data, enabled=form.enabled.data),
            errors=form.form_errors, then=url_for("signin_admin.index"),
            success=lambda saved: f"{saved.name} is saved. Register {redirect_uri(saved)} as its redirect address "
                                  "with the provider, if you have not already.")
        if done:
            return done
    status = 400 if form.errors or form.form_errors else 200
    return render_template("signin/provider_form.html", form=form, provider=provider,
                           callback=redirect_uri(provider) if provider else None, button=ButtonForm()), status


@bp.post("/providers/<int:provider_id>/check")
@site_admin
def check_provider(provider_id: int):
    provider = db.get_or_404(SignInProvider, provider_id)
    if ButtonForm().validate_on_submit():
        try:
            meta = oidc.metadata(provider.issuer, fresh=True)
        except oidc.SignInError as exc:
            flash(f"{provider.name}: {exc.message} (the settings address "
                  f"{oidc.discovery_url(provider.issuer)} could not be used: {exc.reason}).", "error")
        else:
            flash(f"{provider.name} answered: its settings were read from {oidc.discovery_url(meta['issuer'])}.",
                  "success")
    return redirect(url_for("signin_admin.edit_provider", provider_id=provider.id))


@bp.post("/providers/<int:provider_id>/delete")
@site_admin
def delete_provider(provider_id: int):
    provider = db.get_or_404(SignInProvider, provider_id)
    if ButtonForm().validate_on_submit():
        return apply_change(
            lambda: services.delete_provider(db.session, provider, actor=current_user),
            back=url_for("signin_admin.edit_provider", provider_id=provider_id), then=url_for("signin_admin.index"),
            success=f"{provider.name} is removed; people linked through it can no longer sign in with it.")
    return redirect(url_for("signin_admin.index"))


@bp.post("/passwords")
@site_admin
def password_policy():
    form = PasswordPolicyForm()
    if form.validate_on_submit():
        done = apply_change(
            lambda: services.set_local_passwords(db.session, form.local_passwords.data, actor=current_user),
            errors=form.form_errors, then=url_for("signin_admin.index"),
            success="Everyone may now sign in with a password." if form.local_passwords.data else
                    "Passwords are switched off, except for break-glass site administrators.")
        return done or _overview(policy_form=form, status=409)
    return redirect(url_for("signin_admin.index"))


@bp.post("/break-glass")
@site_admin
def add_break_glass():
    form = BreakGlassForm()
    form.user_id.choices = _site_admin_choices(set())
    if form.validate_on_submit():
        user = db.get_or_404(User, form.user_id.data)
        done = apply_change(
            lambda: services.set_break_glass(db.session, user, True, actor=current_user),
            errors=form.form_errors, then=url_for("signin_admin.index"),
            success=f"{user.display_name} can use a password even when passwords are switched off.")
        if done:
            return done
    return _overview(glass_form=form, status=400)


@bp.post("/break-glass/<int:user_id>/remove")
@site_admin
def remove_break_glass(user_id: int):
    user = db.get_or_404(User, user_id)
    if ButtonForm().validate_on_submit():
        return apply_change(lambda: services.set_break_glass(db.session, user, False, actor=current_user),
                            success=f"{user.display_name} is no longer a break-glass account.",
                            then=url_for("signin_admin.index"))
    return redirect(url_for("signin_admin.index"))


@bp.get("/two-factor")
@site_admin
def two_factor():
    rows = services.people_with_second_factor(db.session)
    return render_template("signin/admin_two_factor.html", rows=rows, button=ButtonForm())


@bp.post("/two-factor/<int:user_id>/reset")
@site_admin
def reset_two_factor(user_id: int):
    user = db.get_or_404(User, user_id)
    if ButtonForm().validate_on_submit():
        return apply_change(lambda: services.reset_second_factor(db.session, user, actor=current_user),
                            success=f"Two-factor sign-in for {user.display_name} is reset and they are signed out. "
                                    "They will set up a new authenticator app the next time they sign in with a "
                                    "password.",
                            then=url_for("signin_admin.two_factor"))
    return redirect(url_for("signin_admin.two_factor"))


def home_cards(user) -> list[dict]:
    cards = []
    if access.can_administer(user):
        cards.append({"title": "District sign-in", "url": url_for("signin_admin.index"),
                      "text": "Sign in with Google, Microsoft or another provider; passwords; two-factor resets."})
    if access.owes_second_factor(user):
        cards.append({"title": "Two-factor sign-in", "url": url_for("signin.account"),
                      "text": "Your authenticator app and recovery codes."})
    return cards
