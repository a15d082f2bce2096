"""Who may see and author catalogue objects: a badge in each status, its versions and its image, and which badges
the catalogue lists. Views and the JSON API both ask here."""
from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import and_, false, or_

from milepost.badges.models import Badge, BadgeStatus
from milepost.core.access import STAFF_ROLES

if TYPE_CHECKING:
    from milepost.badges.services.progress import Progress

AUTHOR_ROLES = STAFF_ROLES  # the PD office and site administrators


def is_author(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.has_role(*AUTHOR_ROLES))


def can_view(user, badge: Badge, progress: Progress) -> bool:
    """Published badges: anyone signed in. Drafts: authors only. Retired: authors and holders."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if badge.status == BadgeStatus.PUBLISHED:
        return True
    if is_author(user):
        return True
    return badge.status == BadgeStatus.RETIRED and badge.id in progress.earned


def can_view_version(user, badge: Badge, progress: Progress) -> bool:
    """Earlier versions are readable by whoever may read the badge (awards point at them)."""
    return can_view(user, badge, progress)


def can_view_image(user, badge: Badge, progress: Progress) -> bool:
    """The badge's picture, uploaded or generated: whoever may read the badge (a draft's image stays private)."""
    return can_view(user, badge, progress)


def visible_in_catalogue(progress: Progress):
    """The badges the catalogue lists, as a SQL condition on Badge: published badges, and retired ones the person
    holds. Drafts are never listed, not even for authors, who find them on the authoring pages."""
    held = Badge.id.in_(progress.earned) if progress.earned else false()
    return or_(Badge.status == BadgeStatus.PUBLISHED, and_(Badge.status == BadgeStatus.RETIRED, held))


def can_author(user) -> bool:
    return is_author(user)
