"""Sign-in providers, the (provider, subject) links to people, the sign-in policy, break-glass
site admins, and TOTP credentials with their recovery codes."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from milepost.accounts.models import User
from milepost.core.model import Timestamped, in_list, utcnow
from milepost.core.sealing import SealedString
from milepost.extensions import db


class ProviderKind(StrEnum):
    """Which preset a provider was set up from: its issuer checks and defaults differ (signin.oidc.PRESETS)."""

    GOOGLE = "google"
    MICROSOFT = "microsoft"
    OIDC = "oidc"  # any other OpenID Connect issuer


PROVIDER_KINDS = tuple(ProviderKind)


class SignInProvider(Timestamped, db.Model):
    """An OpenID Connect provider the site admin has set up; its discovery document is read at
    sign-in time from `issuer` + /.well-known/openid-configuration."""

    __tablename__ = "signin_provider"
    __table_args__ = (CheckConstraint(f"kind IN ({in_list(PROVIDER_KINDS)})", name="known_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(20), default=ProviderKind.OIDC)
    issuer: Mapped[str] = mapped_column(String(500))
    client_id: Mapped[str] = mapped_column(String(255))
    # Kept so the app can call the token endpoint; never shown back in full (see masked_secret).
    client_secret: Mapped[str] = mapped_column(SealedString(1000), default="")  # sealed at rest (core.sealing)
    # Lower-case domains, one per line; empty means any domain the provider vouches for.
    allowed_domains: Mapped[str] = mapped_column(Text, default="")
    create_accounts: Mapped[bool] = mapped_column(Boolean, default=False)
    # Microsoft Entra ID sends no email_verified claim; a single-tenant issuer the district runs
    # manages its own addresses, so the admin may choose to trust them.
    trust_unverified_email_claim: Mapped[bool] = mapped_column(Boolean, default=False)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)

    identities: Mapped[list[ExternalIdentity]] = relationship(
        back_populates="provider", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def domains(self) -> list[str]:
        return [d for d in self.allowed_domains.split() if d]

    def allows_domain(self, email: str) -> bool:
        domains = self.domains
        return not domains or email.rpartition("@")[2].lower() in domains

    @property
    def masked_secret(self) -> str:
        if not self.client_secret:
            return "not set"
        return "set, ending in …" + self.client_secret[-4:] if len(self.client_secret) >= 12 else "set"

    def __repr__(self) -> str:
        return f"<SignInProvider {self.slug}>"


class ExternalIdentity(db.Model):
    """The link from a provider's subject to a person. Later sign-ins find the person by subject,
    never by email, so a changed address at the provider cannot move the link."""

    __tablename__ = "signin_identity"
    __table_args__ = (UniqueConstraint("provider_id", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("signin_provider.id", ondelete="CASCADE"))
    subject: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254), default="")  # as the provider last gave it
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]

    provider: Mapped[SignInProvider] = relationship(back_populates="identities")
    user: Mapped[User] = relationship()


class SignInPolicy(db.Model):
    """Site-wide sign-in settings: a single row (id 1), made on first use."""

    __tablename__ = "signin_policy"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, default=1)
    local_passwords: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class BreakGlassAdmin(db.Model):
    """A site admin who may still use a local password when local passwords are switched off."""

    __tablename__ = "signin_break_glass"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()


class TotpCredential(db.Model):
    """A confirmed authenticator app. Stored only once the person has typed a code from it."""

    __tablename__ = "signin_totp"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    secret: Mapped[str] = mapped_column(SealedString(255))  # sealed at rest (core.sealing)
    # The last 30-second step accepted, so a code seen over someone's shoulder cannot be reused.
    last_counter: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()


class TotpSetup(db.Model):
    """The secret of an authenticator app being set up, kept here (sealed) rather than in the session cookie
    until a code from the app proves it; then it moves to TotpCredential."""

    __tablename__ = "signin_totp_setup"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    secret: Mapped[str] = mapped_column(SealedString(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RecoveryCode(db.Model):
    """One-time codes for when the phone is lost. Only a SHA-256 of each (80-bit) code is kept."""

    __tablename__ = "signin_recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None]
