"""Users with roles, schools, PLCs and password-reset tokens."""
from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from milepost.core.access import ROLES
from milepost.core.model import Timestamped, in_list, utcnow
from milepost.extensions import db


class School(Timestamped, db.Model):
    __tablename__ = "school"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160), unique=True)

    plcs: Mapped[list[PLC]] = relationship(back_populates="school", order_by="PLC.name")

    def __repr__(self) -> str:
        return f"<School {self.name}>"


class User(UserMixin, Timestamped, db.Model):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased, so the unique index makes addresses unique regardless of case.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    school_id: Mapped[int | None] = mapped_column(ForeignKey("school.id", ondelete="SET NULL"), index=True)
    last_login_at: Mapped[datetime | None]
    # Bumped when the password changes, so sessions made before the change stop working.
    session_version: Mapped[int] = mapped_column(default=1)

    school: Mapped[School | None] = relationship()
    role_rows: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )
    memberships: Mapped[list[PLCMembership]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    @property
    def roles(self) -> set[str]:
        return {row.role for row in self.role_rows}

    def has_role(self, *names: str) -> bool:
        return bool(self.roles.intersection(names))

    def set_roles(self, names) -> None:
        wanted = set(names)
        self.role_rows = [row for row in self.role_rows if row.role in wanted]
        for name in sorted(wanted - self.roles):
            self.role_rows.append(UserRole(role=name))

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return bool(self.active)

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class UserRole(db.Model):
    __tablename__ = "user_role"
    __table_args__ = (
        CheckConstraint(f"role IN ({in_list(ROLES)})", name="known_role"),
        # Everyone with a role (the coaches who may take a coach stage, ...) without reading every person.
        Index("ix_user_role_role", "role", "user_id"),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(20), primary_key=True)

    user: Mapped[User] = relationship(back_populates="role_rows")


class PLC(Timestamped, db.Model):
    """A professional learning community: colleagues who give each other peer feedback."""

    __tablename__ = "plc"
    __table_args__ = (UniqueConstraint("school_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160))
    description: Mapped[str] = mapped_column(String(500), default="")
    # A PLC without a school is district-wide (e.g. all high-school science teachers).
    school_id: Mapped[int | None] = mapped_column(ForeignKey("school.id", ondelete="SET NULL"), index=True)
    facilitator_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    school: Mapped[School | None] = relationship(back_populates="plcs")
    facilitator: Mapped[User | None] = relationship()
    memberships: Mapped[list[PLCMembership]] = relationship(
        back_populates="plc", cascade="all, delete-orphan"
    )

    @property
    def label(self) -> str:
        return f"{self.name} ({self.school.name})" if self.school else f"{self.name} (district)"


class PLCMembership(db.Model):
    __tablename__ = "plc_membership"

    plc_id: Mapped[int] = mapped_column(ForeignKey("plc.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True, index=True)
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)

    plc: Mapped[PLC] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship(back_populates="memberships")


class PasswordResetToken(db.Model):
    """Single-use, expiring. Only a hash of the token is kept, so a database leak is no key."""

    __tablename__ = "password_reset_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
