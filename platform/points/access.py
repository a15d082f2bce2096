"""Who may see and do what with points, the degree and rewards. Everyone sees their own balance, history,
progress, certificates and rewards, and claims rewards for themselves only; other people's points are
shown by name only on the leaderboard, to everyone signed in, and only for people who chose to be named
there; the PD office runs tiers, rewards, claims, adjustments, direct awards and revocations. The views and
points.services ask here."""
from __future__ import annotations

from milepost.awards import access as awards_access
from milepost.core.access import STAFF_ROLES
from milepost.points.models import PointsAccount, TierReached

MANAGER_ROLES = STAFF_ROLES  # the PD office and site administrators


def _signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def can_manage(user) -> bool:
    return _signed_in(user) and user.has_role(*MANAGER_ROLES)


def can_view_certificate(user, reached: TierReached | None) -> bool:
    """A degree certificate is its holder's own."""
    return reached is not None and _signed_in(user) and reached.user_id == user.id


def can_set_award_choices(user, award) -> bool:
    return awards_access.is_holder(user, award)


def named_on_leaderboard() -> tuple:
    """The SQL conditions (on PointsAccount joined to User) for a person to be named on the people
    leaderboard: they opted in and are active. Everyone else who earned points is only counted."""
    from milepost.accounts.models import User

    return PointsAccount.leaderboard_opt_in.is_(True), User.active.is_(True)
