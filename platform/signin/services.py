"""Sign-in rules as plain functions: providers and the password policy, who an OpenID Connect
sign-in belongs to (link, create or refuse), and the second factor (enrol, check, reset)."""
from __future__ import annotations

import re
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, func, select, update

from milepost.accounts.models import User
from milepost.accounts.services import normalise_email, record_sign_in, save_user
from milepost.core import audit
from milepost.core.access import Role
from milepost.core.errors import InvalidTransition, NotAllowed, ValidationFailed
from milepost.core.inputs import split_url
from milepost.core.model import utcnow
from milepost.signin import access, totp
from milepost.signin.models import (
    PROVIDER_KINDS,
    BreakGlassAdmin,
    ExternalIdentity,
    ProviderKind,
    RecoveryCode,
    SignInPolicy,
    SignInProvider,
    TotpCredential,
    TotpSetup,
)

PASSWORDS_OFF = ("Passwords are switched off here: please use the button for your district account above. "
                 "(Only emergency site administrator accounts can still use a password.)")
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_PROVIDER_FIELDS = ("name", "kind", "issuer", "client_id", "allowed_domains", "create_accounts",
                    "trust_unverified_email_claim", "enabled")


class SignInRefused(NotAllowed):
    """The provider vouched for someone, but Milepost will not sign them in. `reason` is for
    the log and the tests; the message is what the person reads."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


# --- the sign-in policy -------------------------------------------------------------------

def local_passwords_allowed(session) -> bool:
    policy = session.get(SignInPolicy, 1)
    return True if policy is None else policy.local_passwords


def is_break_glass(session, user: User) -> bool:
    return access.may_be_break_glass(user) and session.get(BreakGlassAdmin, user.id) is not None


def break_glass_admins(session) -> list[User]:
    return list(session.scalars(select(User).join(BreakGlassAdmin, BreakGlassAdmin.user_id == User.id)
                                .order_by(User.display_name)))


def _usable_break_glass(session) -> list[User]:
    return [u for u in break_glass_admins(session) if u.active and u.password_hash and access.may_be_break_glass(u)]


def password_refusal(session, user: User | None) -> str | None:
    """Why a password sign-in may not go ahead, or None. The same words for a wrong password and a
    right one, so the message tells nobody whether they guessed well."""
    if local_passwords_allowed(session):
        return None
    if user is not None and is_break_glass(session, user):
        return None
    return PASSWORDS_OFF


def set_local_passwords(session, allowed: bool, *, actor: User | None) -> None:
    if not allowed:
        if not enabled_providers(session):
            raise InvalidTransition("Set up and turn on a district sign-in provider before switching passwords off, "
                                    "or nobody could sign in.")
        if not _usable_break_glass(session):
            raise InvalidTransition("Choose at least one break-glass site administrator (active, with a password) "
                                    "first, so someone can still sign in if the provider is down.")
    policy = session.get(SignInPolicy, 1)
    if policy is None:
        policy = SignInPolicy(id=1)
        session.add(policy)
    policy.local_passwords = allowed
    audit.record(session, "signin.local_passwords_on" if allowed else "signin.local_passwords_off", actor=actor)


def set_break_glass(session, user: User, flagged: bool, *, actor: User) -> None:
    row = session.get(BreakGlassAdmin, user.id)
    if flagged:
        if not access.may_be_break_glass(user):
            raise ValidationFailed("Only site administrators can be break-glass accounts.")
        if row is None:
            session.add(BreakGlassAdmin(user_id=user.id))
            audit.record(session, "signin.break_glass_granted", actor=actor, target=user)
        return
    if row is None:
        return
    if not local_passwords_allowed(session) and [u.id for u in _usable_break_glass(session)] == [user.id]:
        raise InvalidTransition("This is the last break-glass account while passwords are off. "
                                "Add another one first, or switch passwords back on.")
    session.delete(row)
    audit.record(session, "signin.break_glass_removed", actor=actor, target=user)


# --- providers ----------------------------------------------------------------------------

def enabled_providers(session) -> list[SignInProvider]:
    return list(session.scalars(select(SignInProvider).where(SignInProvider.enabled.is_(True))
                                .order_by(SignInProvider.name, SignInProvider.id)))


def parse_domains(raw: str) -> list[str]:
    domains, bad = [], []
    for item in re.split(r"[\s,;]+", (raw or "").lower()):
        item = item.strip().lstrip("@")
        if not item:
            continue
        (domains if _DOMAIN.match(item) else bad).append(item)
    if bad:
        raise ValidationFailed(f"These do not look like email domains: {', '.join(bad)}. "
                               "Write them like riverbend.k12.example, one per line.")
    return sorted(set(domains))


def check_issuer(issuer: str, kind: str) -> str:
    issuer = (issuer or "").strip().rstrip("/")
    parts = split_url(issuer, what="The issuer")
    local = parts.hostname in ("127.0.0.1", "localhost", "::1")
    if parts.scheme != "https" and not (parts.scheme == "http" and local):
        raise ValidationFailed("The issuer must be an https:// address, such as https://accounts.google.com.")
    if not parts.hostname or parts.query or parts.fragment:
        raise ValidationFailed("The issuer must be a plain address without ? or # parts.")
    if "{tenant}" in issuer:
        raise ValidationFailed("Replace {tenant} with your directory (tenant) ID from the Microsoft Entra "
                               "admin centre.")
    if kind == ProviderKind.MICROSOFT:
        tenant = parts.path.strip("/").split("/")[0] if parts.path.strip("/") else ""
        if tenant.lower() in ("", "common", "organizations", "consumers"):
            raise ValidationFailed("Use your own directory (tenant) ID in the Microsoft address, not common, "
                                   "organizations or consumers: only your district's accounts should get in.")
    return issuer


_RESERVED_SLUGS = {"two-factor"}  # /signin/two-factor is the second-factor page


def _slug_for(session, name: str, current: SignInProvider | None) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:30] or "provider"
    if base in _RESERVED_SLUGS:
        base = "provider-" + base
    slug, n = base, 1
    while True:
        clash = session.scalar(select(SignInProvider).where(SignInProvider.slug == slug))
        if clash is None or clash is current:
            return slug
        n += 1
        slug = f"{base}-{n}"


def save_provider(session, provider: SignInProvider | None, *, actor: User | None, name: str, kind: str,
                  issuer: str, client_id: str, client_secret: str | None, allowed_domains: str,
                  create_accounts: bool, trust_unverified_email_claim: bool, enabled: bool) -> SignInProvider:
    """Create (provider=None) or change a provider. An empty client_secret keeps the stored one.
    People linked through it whose address is no longer in an allowed domain are signed out."""
    name = (name or "").strip()
    if not name:
        raise ValidationFailed("Please give the provider a name people will recognise, such as Google.")
    if kind not in PROVIDER_KINDS:
        raise ValidationFailed("Choose Google, Microsoft or another OpenID Connect provider.")
    issuer = check_issuer(issuer, kind)
    client_id = (client_id or "").strip()
    if not client_id:
        raise ValidationFailed("Please give the client ID from the provider's app registration.")
    domains = parse_domains(allowed_domains)
    creating = provider is None
    if creating and not client_secret:
        raise ValidationFailed("Please give the client secret from the provider's app registration.")
    if not creating and not enabled and provider.enabled and not local_passwords_allowed(session) \
            and [p.id for p in enabled_providers(session)] == [provider.id]:
        raise InvalidTransition("This is the only sign-in provider while passwords are off. "
                                "Switch passwords on first, or turn on another provider.")
    if creating:
        provider = SignInProvider(slug=_slug_for(session, name, None))
        session.add(provider)
    before = {f: getattr(provider, f) for f in _PROVIDER_FIELDS}
    provider.name, provider.kind, provider.issuer, provider.client_id = name, kind, issuer, client_id
    provider.allowed_domains = "\n".join(domains)
    provider.create_accounts = bool(create_accounts)
    provider.trust_unverified_email_claim = bool(trust_unverified_email_claim)
    provider.enabled = bool(enabled)
    secret_changed = bool(client_secret) and client_secret != provider.client_secret
    if client_secret:
        provider.client_secret = client_secret.strip()
    session.flush()
    changed = sorted(f for f in _PROVIDER_FIELDS if before[f] != getattr(provider, f))
    signed_out = 0 if creating else _sign_out_disallowed(session, provider)
    audit.record(session, "signin.provider_created" if creating else "signin.provider_updated", actor=actor,
                 target=provider, name=name, issuer=issuer, changed=changed, secret_changed=secret_changed,
                 allowed_domains=domains, signed_out=signed_out)
    return provider


def _sign_out_disallowed(session, provider: SignInProvider) -> int:
    """Sign out everyone linked through this provider whose address it no longer allows."""
    count = 0
    for identity in session.scalars(select(ExternalIdentity).where(ExternalIdentity.provider_id == provider.id)):
        if identity.email and not provider.allows_domain(identity.email):
            identity.user.session_version += 1
            count += 1
    return count


def delete_provider(session, provider: SignInProvider, *, actor: User) -> None:
    if not local_passwords_allowed(session) and [p.id for p in enabled_providers(session)] == [provider.id]:
        raise InvalidTransition("This is the only sign-in provider while passwords are off. "
                                "Switch passwords on first, or turn on another provider.")
    linked = session.scalar(select(func.count()).select_from(ExternalIdentity)
                            .where(ExternalIdentity.provider_id == provider.id))
    audit.record(session, "signin.provider_deleted", actor=actor, target=provider, name=provider.name,
                 issuer=provider.issuer, links_removed=linked)
    session.delete(provider)


def linked_count(session, provider: SignInProvider) -> int:
    return session.scalar(select(func.count()).select_from(ExternalIdentity)
                          .where(ExternalIdentity.provider_id == provider.id))


# --- whose sign-in is it? -----------------------------------------------------------------

def _claim_true(value) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def resolve_sign_in(session, provider: SignInProvider, claims: dict) -> User:
    """The person these verified ID-token claims sign in: found by (provider, subject), else by the
    same verified email (and linked), else a new teacher if the provider allows it."""
    subject = str(claims.get("sub") or "")
    raw_email = claims.get("email")
    if not subject:
        raise SignInRefused("no_subject", "Your district account did not say who you are. Please try again.")
    if not raw_email:
        raise SignInRefused("no_email", f"Your {provider.name} account did not share an email address with us, "
                                        "so we cannot tell which account is yours. Ask your district's help desk.")
    try:
        email = normalise_email(str(raw_email))
    except ValidationFailed:
        raise SignInRefused("bad_email", f"Your {provider.name} account's email address ({raw_email}) "
                                         "is not one we can use.") from None
    verified = _claim_true(claims.get("email_verified"))
    if verified is False or (verified is None and not provider.trust_unverified_email_claim):
        raise SignInRefused("unverified_email",
                            f"{provider.name} has not confirmed that {email} belongs to you, so we cannot sign "
                            f"you in with it. Confirm the address with {provider.name} first, then try again.")
    if not provider.allows_domain(email):
        domain = email.rpartition("@")[2]
        raise SignInRefused("domain", f"Accounts at {domain} cannot sign in here with {provider.name}. "
                                      "Please use your district account, or ask your PD office for help.")

    identity = session.scalar(select(ExternalIdentity).where(ExternalIdentity.provider_id == provider.id,
                                                             ExternalIdentity.subject == subject))
    if identity is not None:
        user = identity.user
        _refuse_inactive(user)
    else:
        user = session.scalar(select(User).where(User.email == email))
        if user is not None:
            _refuse_inactive(user)
            action = "signin.linked"
        elif provider.create_accounts:
            name = str(claims.get("name") or "").strip()[:120] or email.partition("@")[0]
            user = save_user(session, None, actor=None, email=email, display_name=name, roles=[Role.TEACHER],
                             school=None, plcs=[])
            action = "signin.account_created"
        else:
            raise SignInRefused("no_account", f"There is no account for {email} yet. Ask your PD office to add "
                                              "you, then sign in again.")
        identity = ExternalIdentity(provider=provider, subject=subject, user=user)
        session.add(identity)
        session.flush()
        audit.record(session, action, actor=user, target=user, provider=provider.slug, email=email)
    identity.email = email
    identity.last_used_at = user.last_login_at = utcnow()
    record_sign_in(session, user, method="provider", provider=provider.slug)
    return user


def _refuse_inactive(user: User) -> None:
    if not user.active:
        raise SignInRefused("deactivated", "This account has been deactivated, so it cannot sign in. "
                                           "If you think that is a mistake, please contact your PD office.")


# --- second factor ------------------------------------------------------------------------

def second_factor_required(user: User) -> bool:
    """PD admins and site admins must use a second factor with a local password."""
    return bool(current_app.config.get("TWO_FACTOR_REQUIRED")) and access.owes_second_factor(user)


def has_second_factor(session, user: User) -> bool:
    return session.get(TotpCredential, user.id) is not None


def second_factor_needed(session, user: User) -> bool:
    return second_factor_required(user) or has_second_factor(session, user)


SECOND_FACTORS = {"totp": "authenticator app", "recovery": "recovery code", "set up now": "set up now"}


def record_second_factor_sign_in(session, user: User, pending: dict, used: str) -> None:
    """The sign-in a checked second factor finishes (`account.login`, as every sign-in): how the first
    step was passed (gate.hand_off's `via`) and which second factor was used."""
    record_sign_in(session, user, method=pending.get("via") or "password", second_factor=SECOND_FACTORS[used])


def recovery_codes_left(session, user: User) -> int:
    return session.scalar(select(func.count()).select_from(RecoveryCode)
                          .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)))


WRONG_CODE = "That code did not work. Type the newest 6-digit code from your app, or one of your recovery codes."


SETUP_MINUTES = 30  # a set-up page left open longer starts again with a new secret


def setup_secret(session, user: User) -> str:
    """The secret of the authenticator this person is setting up (kept server-side, sealed), made if needed."""
    row = session.get(TotpSetup, user.id)
    if row is not None and row.created_at < utcnow() - timedelta(minutes=SETUP_MINUTES):
        session.delete(row)
        session.flush()
        row = None
    if row is None:
        row = TotpSetup(user_id=user.id, secret=totp.new_secret())
        session.add(row)
        session.flush()
    return row.secret


def enrol(session, user: User, secret: str, code: str) -> list[str]:
    """Keep the authenticator once the person has typed a code from it; returns fresh recovery
    codes (shown once, stored only as hashes)."""
    if has_second_factor(session, user):
        raise InvalidTransition("Two-factor sign-in is already set up for this account.")
    counter = totp.matching_counter(secret, code, after=0)
    if counter is None:
        raise ValidationFailed("That code did not match. Check that you scanned the code on this page and type the "
                               "newest 6 digits your app shows.")
    session.add(TotpCredential(user_id=user.id, secret=secret, last_counter=counter))
    session.execute(delete(TotpSetup).where(TotpSetup.user_id == user.id))
    codes = _store_recovery_codes(session, user)
    audit.record(session, "signin.2fa_enrolled", actor=user, target=user)
    return codes


def _store_recovery_codes(session, user: User) -> list[str]:
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = totp.new_recovery_codes()
    session.add_all(RecoveryCode(user_id=user.id, code_hash=totp.hash_recovery_code(c)) for c in codes)
    return codes


def check_second_factor(session, user: User, code: str) -> str:
    """'totp' or 'recovery' when the code is good (and now used up); ValidationFailed otherwise.
    Both checks are single UPDATEs guarded by their WHERE clause, so two requests racing with the
    same code cannot both succeed."""
    credential = session.get(TotpCredential, user.id)
    if credential is None:
        raise InvalidTransition("Two-factor sign-in is not set up for this account.")
    if totp.looks_like_recovery_code(code):
        used = session.execute(
            update(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None),
                                       RecoveryCode.code_hash == totp.hash_recovery_code(code))
            .values(used_at=utcnow()).execution_options(synchronize_session=False))
        if used.rowcount != 1:
            raise ValidationFailed(WRONG_CODE)
        audit.record(session, "signin.recovery_code_used", actor=user, target=user,
                     left=recovery_codes_left(session, user))
        return "recovery"
    counter = totp.matching_counter(credential.secret, code, after=credential.last_counter)
    if counter is None:
        raise ValidationFailed(WRONG_CODE)
    moved = session.execute(
        update(TotpCredential).where(TotpCredential.user_id == user.id, TotpCredential.last_counter < counter)
        .values(last_counter=counter).execution_options(synchronize_session=False))
    if moved.rowcount != 1:
        raise ValidationFailed(WRONG_CODE)
    session.expire(credential)
    return "totp"


def replace_recovery_codes(session, user: User, code: str) -> list[str]:
    check_second_factor(session, user, code)
    codes = _store_recovery_codes(session, user)
    audit.record(session, "signin.recovery_codes_replaced", actor=user, target=user)
    return codes


def reset_second_factor(session, user: User, *, actor: User | None) -> None:
    """Remove someone's authenticator and recovery codes (a lost phone). They set it up again at
    their next password sign-in; their current sessions end."""
    if not access.may_reset_second_factor(actor, user):
        raise NotAllowed("Ask another site administrator to reset your own two-factor sign-in.")
    if not has_second_factor(session, user):
        raise InvalidTransition(f"{user.display_name} has no two-factor sign-in to reset.")
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    session.execute(delete(TotpCredential).where(TotpCredential.user_id == user.id))
    user.session_version += 1
    audit.record(session, "signin.2fa_reset", actor=actor, target=user)


def people_with_second_factor(session) -> list[tuple[User, TotpCredential]]:
    return list(session.execute(select(User, TotpCredential).join(TotpCredential, TotpCredential.user_id == User.id)
                                .order_by(User.display_name, User.id)).all())
