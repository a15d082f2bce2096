"""Forms for signing in with a password or a district provider, two-factor codes, changing and resetting
a password, and the site admin's provider settings."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, TextAreaField, URLField
from wtforms.validators import DataRequired, EqualTo, Length

from milepost.accounts.services import MIN_PASSWORD
from milepost.core.forms import choices, db_int
from milepost.signin.models import ProviderKind

KIND_LABELS = {ProviderKind.GOOGLE: "Google Workspace", ProviderKind.MICROSOFT: "Microsoft Entra ID (Microsoft 365)",
               ProviderKind.OIDC: "Another OpenID Connect provider (ClassLink, Clever, Okta, ...)"}


class CodeForm(FlaskForm):
    code = StringField("Code", validators=[DataRequired("Please type the code."), Length(max=40)],
                       description="The 6-digit code from your authenticator app, or one of your recovery codes.",
                       render_kw={"autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false"})


class EnrolForm(FlaskForm):
    code = StringField("6-digit code from your app", validators=[DataRequired("Please type the code your app shows."),
                                                                 Length(max=12)],
                       render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"})


class ButtonForm(FlaskForm):
    """Only the CSRF token: for buttons that change something (delete, reset, remove)."""


class ProviderForm(FlaskForm):
    kind = SelectField("Kind of provider", choices=choices(KIND_LABELS.items()))
    name = StringField("Name on the sign-in button", validators=[DataRequired("Please give the provider a name."),
                                                                 Length(max=80)],
                       description='People will see "Sign in with" and this name.')
    issuer = URLField("Issuer address", validators=[DataRequired("Please give the issuer address."), Length(max=500)],
                      description="Milepost reads the provider's settings from this address "
                                  "followed by /.well-known/openid-configuration.")
    client_id = StringField("Client ID", validators=[DataRequired("Please give the client ID."), Length(max=255)])
    client_secret = PasswordField("Client secret", validators=[Length(max=500)],
                                  render_kw={"autocomplete": "new-password"})
    allowed_domains = TextAreaField("Allowed email domains", validators=[Length(max=4000)],
                                    description="One per line, e.g. riverbend.k12.example. Leave empty to accept any "
                                                "address the provider has confirmed.")
    create_accounts = BooleanField("Make a teacher account the first time someone without an account signs in")
    trust_unverified_email_claim = BooleanField(
        "Trust email addresses this provider does not mark as confirmed",
        description="Only for your district's own single-tenant directory (Microsoft Entra ID sends no "
                    "confirmation flag). An address the provider marks as not confirmed is always refused.")
    enabled = BooleanField("Show this provider on the sign-in page", default=True)


class PasswordPolicyForm(FlaskForm):
    local_passwords = BooleanField("Everyone may sign in with a password",
                                   description="When off, only break-glass site administrators can use a password; "
                                               "everyone else signs in with a district provider.")


class BreakGlassForm(FlaskForm):
    user_id = SelectField("Site administrator", coerce=db_int)


# --- passwords ----------------------------------------------------------------------------


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired("Please enter your email.")],
                       render_kw={"autocomplete": "username"})
    password = PasswordField("Password", validators=[DataRequired("Please enter your password.")],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField("Keep me signed in on this device")


def _new_password(label: str) -> PasswordField:
    return PasswordField(label, validators=[
        DataRequired("Please choose a password."),
        Length(min=MIN_PASSWORD, max=200, message=f"Use at least {MIN_PASSWORD} characters."),
    ], render_kw={"autocomplete": "new-password"},
        description=f"At least {MIN_PASSWORD} characters. A short sentence is easy to remember.")


def _confirm() -> PasswordField:
    return PasswordField("Type the new password again", validators=[
        DataRequired("Please type the new password again."),
        EqualTo("new_password", "The two passwords do not match."),
    ], render_kw={"autocomplete": "new-password"})


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField("Current password",
                                     validators=[DataRequired("Please enter your current password.")],
                                     render_kw={"autocomplete": "current-password"})
    new_password = _new_password("New password")
    confirm = _confirm()


class ResetRequestForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired("Please enter your email.")],
                       render_kw={"autocomplete": "username"})


class ResetForm(FlaskForm):
    new_password = _new_password("New password")
    confirm = _confirm()
