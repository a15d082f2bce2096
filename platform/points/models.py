"""The ledger and what is built on it: accounts (cached balances and period totals), school and PLC totals,
degree tiers and the tiers people reached, rewards and their claims."""
from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Boolean, CheckConstraint, Date, Float, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from milepost.core.model import Timestamped, in_list, utcnow
from milepost.extensions import db


class EntryKind(StrEnum):
    """What a ledger entry's points are for."""

    AWARD = "award"                # a badge earned or awarded
    REVIEW = "review"              # a review completed
    PLC_BONUS = "plc_bonus"
    REWARD_BONUS = "reward_bonus"
    ADJUSTMENT = "adjustment"      # by the PD office, with a reason
    REVERSAL = "reversal"          # a revoked award's points taken back


class ClaimStatus(StrEnum):
    """Where a reward claim is: waiting for the PD office, fulfilled, or cancelled."""

    CLAIMED = "claimed"
    FULFILLED = "fulfilled"
    CANCELLED = "cancelled"


KINDS = tuple(EntryKind)
KIND_LABELS = {EntryKind.AWARD: "Badge earned", EntryKind.REVIEW: "Review completed",
               EntryKind.PLC_BONUS: "PLC bonus", EntryKind.REWARD_BONUS: "Reward bonus",
               EntryKind.ADJUSTMENT: "Adjustment by the PD office", EntryKind.REVERSAL: "Reversal"}
CLAIM_STATUSES = tuple(ClaimStatus)


class LedgerEntry(db.Model):
    """Never edited or deleted. `source` names what the points are for, once: a unique key, so
    repeated or simultaneous crediting of the same thing writes one row."""

    __tablename__ = "ledger_entry"
    __table_args__ = (
        CheckConstraint(f"kind IN ({in_list(KINDS)})", name="known_kind"),
        # Covering: the leaderboards' per-person sums over a period read this index alone, not the table
        # (53 -> 20 ms per aggregate at 400,000 entries on SQLite).
        Index("ix_ledger_entry_user_at_kind_amount", "user_id", "created_at", "kind", "amount"),
        Index("ix_ledger_entry_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="RESTRICT"))
    kind: Mapped[str] = mapped_column(String(16))
    amount: Mapped[int]
    source: Mapped[str] = mapped_column(String(120), unique=True)
    award_id: Mapped[int | None] = mapped_column(ForeignKey("award.id", ondelete="RESTRICT"), index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])  # noqa: F821


class PeriodTotals:
    """Points and badges (awards minus reversals) in the current month and school year, each stamped
    with the period it counts for: a row whose stamp is not the current period holds nothing for it.
    Moved by points.services in the same transaction as the ledger entry (the leaderboards
    read these instead of summing the ledger); `milepost points verify` recomputes them."""

    month_start: Mapped[date | None] = mapped_column(Date)
    month_points: Mapped[int] = mapped_column(default=0)
    month_badges: Mapped[int] = mapped_column(default=0)
    year_start: Mapped[date | None] = mapped_column(Date)
    year_points: Mapped[int] = mapped_column(default=0)
    year_badges: Mapped[int] = mapped_column(default=0)


class PointsAccount(PeriodTotals, db.Model):
    """One row per person: the balance and the badge and period totals kept in step with the ledger in
    the same transaction (`milepost points verify` recomputes them), and their leaderboard choice."""

    __tablename__ = "points_account"
    __table_args__ = (
        # The people board reads the top of one of these and counts the rest (opted in or not).
        Index("ix_points_account_board_all", "leaderboard_opt_in", "balance"),
        Index("ix_points_account_board_month", "leaderboard_opt_in", "month_start", "month_points"),
        Index("ix_points_account_board_year", "leaderboard_opt_in", "year_start", "year_points"),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    balance: Mapped[int] = mapped_column(default=0)
    badges: Mapped[int] = mapped_column(default=0)
    leaderboard_opt_in: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class GroupTotals(PeriodTotals):
    """A school's or a PLC's members now and what those members earned (all time and per period), and the
    points per member the group boards rank by, stored so the top of a board is read along an index."""

    members: Mapped[int] = mapped_column(default=0)
    points: Mapped[int] = mapped_column(default=0)
    badges: Mapped[int] = mapped_column(default=0)
    per_member: Mapped[float] = mapped_column(Float, default=0.0)
    month_per_member: Mapped[float] = mapped_column(Float, default=0.0)
    year_per_member: Mapped[float] = mapped_column(Float, default=0.0)


def _board_indexes(table: str) -> tuple:
    return (Index(f"ix_{table}_board_all", "per_member"),
            Index(f"ix_{table}_board_month", "month_start", "month_per_member"),
            Index(f"ix_{table}_board_year", "year_start", "year_per_member"))


class SchoolTotals(GroupTotals, db.Model):
    """Members are the school's active people, as on the school board."""

    __tablename__ = "points_school"
    __table_args__ = _board_indexes("points_school")

    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), primary_key=True)


class PLCTotals(GroupTotals, db.Model):
    """Members are the PLC's memberships."""

    __tablename__ = "points_plc"
    __table_args__ = _board_indexes("points_plc")

    plc_id: Mapped[int] = mapped_column(ForeignKey("plc.id", ondelete="CASCADE"), primary_key=True)


class DegreeTier(Timestamped, db.Model):
    """A step of the district degree, e.g. associate, bachelor, master, doctorate."""

    __tablename__ = "degree_tier"
    __table_args__ = (CheckConstraint("threshold >= 0", name="threshold_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    threshold: Mapped[int] = mapped_column(default=0)
    min_credit_hours: Mapped[float] = mapped_column(Numeric(7, 2, asdecimal=False), default=0)
    # Another way of breadth: at least this many badges in each of this many different strands.
    min_strands: Mapped[int] = mapped_column(default=0)
    badges_per_strand: Mapped[int] = mapped_column(default=1)

    required_badges: Mapped[list[Badge]] = relationship(  # noqa: F821
        secondary="degree_tier_badge", order_by="Badge.title")


class DegreeTierBadge(db.Model):
    __tablename__ = "degree_tier_badge"

    tier_id: Mapped[int] = mapped_column(ForeignKey("degree_tier.id", ondelete="CASCADE"), primary_key=True)
    badge_id: Mapped[int] = mapped_column(ForeignKey("badge.id", ondelete="CASCADE"), primary_key=True)


class TierReached(db.Model):
    """Reaching a tier happens once per person (unique), is celebrated once and emailed once."""

    __tablename__ = "tier_reached"
    __table_args__ = (UniqueConstraint("user_id", "tier_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    tier_id: Mapped[int] = mapped_column(ForeignKey("degree_tier.id", ondelete="CASCADE"))
    reached_at: Mapped[datetime] = mapped_column(default=utcnow)
    celebrated_at: Mapped[datetime | None]

    tier: Mapped[DegreeTier] = relationship()


class Reward(Timestamped, db.Model):
    """Unlocked at a number of points or on reaching a tier; fulfilled by the PD office."""

    __tablename__ = "reward"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160))
    description: Mapped[str] = mapped_column(Text, default="")
    points_needed: Mapped[int | None]
    tier_id: Mapped[int | None] = mapped_column(ForeignKey("degree_tier.id", ondelete="SET NULL"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    tier: Mapped[DegreeTier | None] = relationship()


class RewardClaim(db.Model):
    __tablename__ = "reward_claim"
    __table_args__ = (
        UniqueConstraint("reward_id", "user_id"),
        CheckConstraint(f"status IN ({in_list(CLAIM_STATUSES)})", name="known_status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reward_id: Mapped[int] = mapped_column(ForeignKey("reward.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(10), default=ClaimStatus.CLAIMED)
    claimed_at: Mapped[datetime] = mapped_column(default=utcnow)
    fulfilled_at: Mapped[datetime | None]
    fulfilled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(Text, default="")

    reward: Mapped[Reward] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])  # noqa: F821
