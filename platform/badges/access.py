"""Who may see and author catalogue objects. Views and the JSON API both ask here."""
from __future__ import annotations

from milepost.badges.models import Badge
from milepost.badges.services import Progress
from milepost.core.access import STAFF_ROLES

AUTHOR_ROLES = STAFF_ROLES  # the PD office and site administrators


def is_author(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.has_role(*AUTHOR_ROLES))


def can_view(user, badge: Badge, progress: Progress) -> bool:
    """Published badges: anyone signed in. Drafts: authors only. Retired: authors and holders."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if badge.status == "published":
        return True
    if is_author(user):
        return True
    return badge.status == "retired" and badge.id in progress.earned


def can_view_version(user, badge: Badge, progress: Progress) -> bool:
    """Earlier versions are readable by whoever may read the badge (awards point at them)."""
    return can_view(user, badge, progress)


def can_author(user) -> bool:
    return is_author(user)
