"""Who may change sign-in, and whose: site administrators run district sign-in (providers, the password
switch, break-glass accounts, two-factor resets), only site administrators can be break-glass accounts,
and nobody resets their own second factor. The admin pages, the home cards and signin.services ask here."""
from __future__ import annotations

from milepost.core.access import STAFF_ROLES, Role

ADMIN_ROLES = (Role.SITE_ADMIN,)        # the district sign-in pages
BREAK_GLASS_ROLES = (Role.SITE_ADMIN,)  # who may keep a password when passwords are switched off
TWO_FACTOR_ROLES = STAFF_ROLES          # who must add a second factor to a password (TWO_FACTOR_REQUIRED)


def _signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def can_administer(user) -> bool:
    return _signed_in(user) and user.has_role(*ADMIN_ROLES)


def may_be_break_glass(user) -> bool:
    return user.has_role(*BREAK_GLASS_ROLES)


def owes_second_factor(user) -> bool:
    """Holds a role that must use a second factor with a local password (where the site requires it)."""
    return user.has_role(*TWO_FACTOR_ROLES)


def may_reset_second_factor(actor, person) -> bool:
    """Anyone's but one's own (a command, with no actor, may reset anyone's)."""
    return actor is None or actor.id != person.id
