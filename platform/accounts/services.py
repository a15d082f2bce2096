"""Account rules: passwords, sign-in, resets, and managing people, schools and PLCs."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from email_validator import EmailNotValidError, validate_email
from flask import current_app, has_app_context
from sqlalchemy import func, select

from milepost.accounts import access
from milepost.accounts.models import PLC, PasswordResetToken, PLCMembership, School, User, UserRole
from milepost.core import audit, signals
from milepost.core.access import ROLES, Role
from milepost.core.errors import InvalidTransition, NotAllowed, ValidationFailed
from milepost.core.model import utcnow

_STRONG = PasswordHasher()
# Only for the test suite and generated benchmark districts (FAST_PASSWORD_HASHING).
_CHEAP = PasswordHasher.from_parameters(profiles.CHEAPEST)
# Verified against when the email is unknown, so both answers take the same time.
_DUMMY_HASH = _STRONG.hash("not-a-real-password")
MIN_PASSWORD = 10
INVITE_HOURS = 72  # a welcome link lasts longer than a reset link


def _hasher() -> PasswordHasher:
    if has_app_context() and current_app.config.get("FAST_PASSWORD_HASHING"):
        return _CHEAP
    return _STRONG


def normalise_email(raw: str) -> str:
    """A deliverable-looking address, lower-cased; ValidationFailed with the reason if not."""
    try:
        result = validate_email((raw or "").strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValidationFailed(f"That email address is not valid: {exc}") from exc
    return result.normalized.lower()


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    text = (Path(__file__).with_name("common_passwords.txt")).read_text()
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def check_password_rules(password: str, *, email: str = "") -> None:
    if len(password) < MIN_PASSWORD:
        raise ValidationFailed(f"Use at least {MIN_PASSWORD} characters for a password.")
    lowered = password.lower()
    if email and (lowered == email.lower() or lowered == email.split("@")[0].lower()):
        raise ValidationFailed("Your password cannot be your email address.")
    if lowered in _common_passwords() or len(set(lowered)) <= 2:
        raise ValidationFailed("That password is one of the most common ones, so it is easy to guess. "
                               "Try a short sentence only you would think of.")


def set_password(user: User, password: str) -> None:
    check_password_rules(password, email=user.email)
    user.password_hash = _hasher().hash(password)
    user.session_version = (user.session_version or 0) + 1


def authenticate(session, email: str, password: str) -> User | None:
    """The active user with this email and password, or None (for any failure alike)."""
    try:
        address = normalise_email(email)
    except ValidationFailed:
        address = ""
    user = session.scalar(select(User).where(User.email == address)) if address else None
    stored = user.password_hash if user and user.password_hash else _DUMMY_HASH
    try:
        _hasher().verify(stored, password or "")
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.active or not user.password_hash:
        return None
    if _hasher().check_needs_rehash(stored):
        user.password_hash = _hasher().hash(password)
    user.last_login_at = utcnow()
    return user


def record_sign_in(session, user: User, *, method: str, **detail) -> None:
    """The audit entry of a finished sign-in, `account.login`, whichever way the person came in: a
    password alone, a password and then a second factor, a reset link, or the district's provider
    (`method` says which, `detail` adds the second factor or the provider). The log's sign-ins are
    exactly these entries."""
    audit.record(session, "account.login", actor=user, target=user, method=method, **detail)


def record_password_accepted(session, user: User) -> None:
    """A right password from someone who must still give a second factor: not a sign-in yet (that is
    recorded once the code is checked), but kept, since right passwords that never become sign-ins
    mean someone else may know the password."""
    audit.record(session, "account.password_accepted", actor=user, target=user, second_factor="to follow")


def record_wrong_second_factor(session, user: User, address: str | None) -> None:
    """A wrong authenticator or recovery code after a right password: someone who knows the password may
    be guessing codes, so the PD office and site admins can see it in the log."""
    audit.record(session, "account.second_factor_failed", actor=user, target=user, client=address or "")


def record_failed_sign_in(session, email: str, address: str | None) -> None:
    """A refused sign-in. The same entry whether or not the address has an account (no target, no
    reason), so the log never tells anyone which addresses exist; the address is kept only when it
    looks like one, so a password typed into the email box is not written down."""
    try:
        typed = normalise_email(email)
    except ValidationFailed:
        typed = ""
    audit.record(session, "account.login_failed", email=typed, client=address or "")


def change_password(session, user: User, current: str, new: str) -> None:
    try:
        _hasher().verify(user.password_hash or _DUMMY_HASH, current or "")
    except (VerificationError, InvalidHashError):
        raise ValidationFailed("Your current password is not right.") from None
    set_password(user, new)
    audit.record(session, "account.password_changed", actor=user, target=user)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_reset_token(session, user: User, *, hours: float, welcome: bool = False) -> str:
    """A new token for the user; the raw value goes only into the email, which the receivers of
    account_link_issued send once this transaction commits (a reset, or with welcome=True an invitation)."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(PasswordResetToken(
        user=user, token_hash=_token_hash(token), created_at=now, expires_at=now + timedelta(hours=hours)
    ))
    signals.account_link_issued.send(user, session=session, token=token, hours=hours, welcome=welcome)
    return token


def invite_people(session, emails: list[str]) -> list[User]:
    """Invite each of these (new) people to choose a password: a link that lasts INVITE_HOURS."""
    users = session.scalars(select(User).where(User.email.in_(emails))).all() if emails else []
    for user in users:
        issue_reset_token(session, user, hours=INVITE_HOURS, welcome=True)
    return list(users)


def find_reset_token(session, token: str) -> PasswordResetToken:
    row = session.scalar(select(PasswordResetToken).where(PasswordResetToken.token_hash == _token_hash(token or "")))
    if row is None or not row.user.active:
        raise InvalidTransition("That reset link is not valid. Please ask for a new one.")
    if row.used_at is not None:
        raise InvalidTransition("That reset link has already been used. Please ask for a new one.")
    if row.expires_at <= utcnow():
        raise InvalidTransition("That reset link has expired. Please ask for a new one.")
    return row


def reset_password(session, token: str, new_password: str) -> User:
    row = find_reset_token(session, token)
    set_password(row.user, new_password)
    now = utcnow()
    # Every outstanding link for this person stops working, not just the one used.
    for other in session.scalars(select(PasswordResetToken).where(
        PasswordResetToken.user_id == row.user_id, PasswordResetToken.used_at.is_(None)
    )):
        other.used_at = now
    audit.record(session, "account.password_reset", actor=row.user, target=row.user)
    return row.user


def email_taken(session, email: str, *, except_id: int | None = None) -> bool:
    query = select(User.id).where(User.email == email)
    if except_id:
        query = query.where(User.id != except_id)
    return session.scalar(query) is not None


def save_user(session, user: User | None, *, actor: User | None, email: str, display_name: str,
              roles, school: School | None, plcs, active: bool = True, password: str | None = None) -> User:
    """Create (user=None) or update a person; the same rules for the admin page, CLI and roster."""
    address = normalise_email(email)
    name = (display_name or "").strip()
    if not name:
        raise ValidationFailed("Please give the person's name.")
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValidationFailed(f"Unknown role: {', '.join(sorted(unknown))}.")
    if not roles:
        raise ValidationFailed("Give the person at least one role.")
    if email_taken(session, address, except_id=user.id if user else None):
        raise ValidationFailed(f"Someone already uses {address}.")
    creating = user is None
    if not creating and not access.may_edit_person(actor, user):
        raise NotAllowed(f"Only a site administrator can change {user.display_name}'s account.")
    old_roles = [] if creating else sorted(user.roles)
    check_role_change(session, user, actor=actor, old=old_roles, new=roles, active=active)
    if creating:
        user = User(email=address, display_name=name, active=active)
        session.add(user)
    elif not active and user.active and not access.may_deactivate(actor, user):
        raise ValidationFailed("You cannot deactivate your own account.")
    user.email, user.display_name, user.school, user.active = address, name, school, active
    user.set_roles(roles)
    set_memberships(user, plcs)
    if password:
        set_password(user, password)
    session.flush()
    new_roles = sorted(set(roles))
    audit.record(session, "user.created" if creating else "user.updated", actor=actor, target=user,
                 email=address, roles=new_roles, old_roles=old_roles)
    if not creating and old_roles != new_roles:
        audit.record(session, "user.roles_changed", actor=actor, target=user, old_roles=old_roles, roles=new_roles)
    return user


def check_role_change(session, user: User | None, *, actor: User | None, old, new, active: bool = True) -> None:
    """The role-grant rule (accounts.access.ROLE_GRANTORS) and the last site administrator, for every way
    roles change; ValidationFailed with one reason per refused role."""
    problems = access.role_change_problems(actor, old, new)
    if problems:
        raise ValidationFailed(" ".join(problems), problems=problems)
    if user is not None and user.active and Role.SITE_ADMIN in old and (Role.SITE_ADMIN not in new or not active):
        keep_a_site_admin(session, user)


def keep_a_site_admin(session, user: User) -> None:
    """Refuse a change that would leave no active site administrator (nobody could then manage keys,
    settings or other administrators)."""
    others = session.scalar(
        select(func.count(User.id)).join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.SITE_ADMIN, User.active.is_(True), User.id != user.id))
    if not others:
        raise ValidationFailed(f"{user.display_name} is the last active site administrator; make someone else "
                               "a site administrator first.")


def set_memberships(user: User, plcs) -> None:
    _keep_memberships(user, {plc.id: plc for plc in plcs}, "plc_id", lambda plc: PLCMembership(plc=plc))


def _keep_memberships(owner: User | PLC, wanted: dict, key: str, make) -> None:
    """Make owner.memberships one row per wanted id: rows already there (matched on their `key`) are kept,
    the others dropped, and make(item) adds a row for each wanted item not there yet."""
    owner.memberships = [m for m in owner.memberships if getattr(m, key) in wanted]
    have = {getattr(m, key) for m in owner.memberships}
    for item_id, item in wanted.items():
        if item_id not in have:
            owner.memberships.append(make(item))


def set_active(session, user: User, active: bool, *, actor: User) -> None:
    if not access.may_edit_person(actor, user):
        raise NotAllowed(f"Only a site administrator can change {user.display_name}'s account.")
    if not active and not access.may_deactivate(actor, user):
        raise InvalidTransition("You cannot deactivate your own account.")
    if user.active == active:
        return
    if not active and Role.SITE_ADMIN in user.roles:
        try:
            keep_a_site_admin(session, user)
        except ValidationFailed as exc:
            raise InvalidTransition(exc.message) from None
    user.active = active
    if not active:
        user.session_version += 1  # signs the person out everywhere
    audit.record(session, "user.activated" if active else "user.deactivated", actor=actor, target=user)


def save_school(session, school: School | None, *, name: str, actor: User | None) -> School:
    name = (name or "").strip()
    if not name:
        raise ValidationFailed("Please give the school's name.")
    clash = session.scalar(select(School).where(func.lower(School.name) == name.lower()))
    if clash is not None and clash is not school:
        raise ValidationFailed(f"There is already a school called {clash.name}.")
    if school is None:
        school = School(name=name)
        session.add(school)
    school.name = name
    session.flush()
    audit.record(session, "school.saved", actor=actor, target=school, name=name)
    return school


def save_plc(session, plc: PLC | None, *, name: str, school: School | None, facilitator: User | None,
             members, description: str = "", actor: User | None) -> PLC:
    name = (name or "").strip()
    if not name:
        raise ValidationFailed("Please give the PLC a name.")
    query = select(PLC).where(func.lower(PLC.name) == name.lower(),
                              PLC.school_id.is_(None) if school is None else PLC.school_id == school.id)
    clash = session.scalar(query)
    if clash is not None and clash is not plc:
        raise ValidationFailed(f"{clash.label} already exists.")
    if plc is None:
        plc = PLC(name=name)
        session.add(plc)
    plc.name, plc.school, plc.facilitator, plc.description = name, school, facilitator, description or ""
    members = list(members)
    if facilitator is not None and facilitator not in members:
        members.append(facilitator)
    wanted = {u.id: u for u in members}
    _keep_memberships(plc, wanted, "user_id", lambda user: PLCMembership(user=user))
    session.flush()
    audit.record(session, "plc.saved", actor=actor, target=plc, name=name, members=len(wanted))
    return plc
